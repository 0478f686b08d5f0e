package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The fixtures of {@code src/test/python/generate_transform_fixtures.py} ({@code resources/transforms/}): Pillow's
 * and the reference's results on small noise frames, each case an object with its {@code op}, {@code params} and
 * expected result.
 */
final class TransformFixtures {

    private static final JsonNode ROOT = load();

    private TransformFixtures() {
    }

    private static JsonNode load() {
        try (InputStream in = TransformFixtures.class.getResourceAsStream("/transforms/transforms.json")) {
            if (in == null) {
                throw new IllegalStateException("transforms/transforms.json is not on the test class path");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases of one operation, each as one argument (its JSON object), named by its parameters. */
    static Stream<Arguments> cases(String op) {
        List<JsonNode> cases = StreamSupport.stream(ROOT.get("cases").spliterator(), false)
                .filter(c -> c.get("op").asText().equals(op)).toList();
        if (cases.isEmpty()) {
            throw new IllegalStateException("no fixture case of operation " + op);
        }
        return cases.stream().map(c -> Arguments.of(Named.of(describe(c), c)));
    }

    private static String describe(JsonNode testCase) {
        JsonNode input = testCase.get("input");
        return (input == null ? "" : input.asText() + " ") + testCase.get("params");
    }

    /** An input frame by name. */
    static RgbFrame frame(String name) {
        JsonNode frame = ROOT.get("frames").get(name);
        if (frame == null) {
            throw new IllegalStateException("no fixture frame " + name);
        }
        return frame(frame);
    }

    /** The frame a case's {@code input} names. */
    static RgbFrame input(JsonNode testCase) {
        return frame(testCase.get("input").asText());
    }

    /** A frame written as {@code {width, height, pixels (base64 RGB)}}. */
    static RgbFrame frame(JsonNode frame) {
        return new RgbFrame(frame.get("width").asInt(), frame.get("height").asInt(),
                Base64.getDecoder().decode(frame.get("pixels").asText()));
    }

    static int param(JsonNode testCase, String name) {
        return testCase.get("params").get(name).asInt();
    }

    static double doubleParam(JsonNode testCase, String name) {
        return testCase.get("params").get(name).asDouble();
    }

    static String textParam(JsonNode testCase, String name) {
        return testCase.get("params").get(name).asText();
    }

    /** Base64 little-endian float32 values. */
    static float[] floats(String base64) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    /** Requires {@code actual} to be the case's {@code output} frame, byte for byte. */
    static void assertOutput(JsonNode testCase, RgbFrame actual) {
        RgbFrame expected = frame(testCase.get("output"));
        assertEquals(expected.width() + "x" + expected.height(), actual.width() + "x" + actual.height(), "size");
        assertArrayEquals(expected.pixels(), actual.pixels(), "pixels");
    }
}
