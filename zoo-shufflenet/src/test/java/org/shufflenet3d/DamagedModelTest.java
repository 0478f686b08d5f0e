package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.graph.FlatNode;
import org.nd4j.graph.FlatVariable;
import org.shufflenet3d.io.MalformedFileException;

/**
 * Saved models damaged where a few bytes decide how much SameDiff allocates or where it copies from: each is refused
 * with a message naming the file, before anything large is allocated or native code reads out of bounds.
 */
class DamagedModelTest {

    @TempDir
    static Path dir;

    private static byte[] saved;

    @BeforeAll
    static void saveAModel() throws IOException {
        Path file = dir.resolve("model.sd");
        ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 2), new ClipShape(8, 24, 24)).save(file);
        saved = Files.readAllBytes(file);
    }

    @Test
    void aVectorClaimingBillionsOfEntriesIsRefused() throws IOException {
        byte[] bytes = saved.clone();
        int length = vectorStart(bytes, graph -> nodeWith(graph, FlatNode::extraIntegerLength)
                .extraIntegerAsByteBuffer().position()) - 4;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(length, Integer.MAX_VALUE);

        assertRefused(bytes, "extraIntegerLength is " + Integer.MAX_VALUE);
    }

    @Test
    void anArrayWhoseShapeOutgrowsItsDataIsRefused() throws IOException {
        byte[] bytes = saved.clone();
        int shape = vectorStart(bytes, graph -> arrayOf(graph).shapeAsByteBuffer().position());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(shape + 8, 1L << 40); // first dimension

        assertRefused(bytes, "an array of size 1099511627776");
    }

    @Test
    void anArrayWhoseStrideReachesPastItsDataIsRefused() throws IOException {
        byte[] bytes = saved.clone();
        int shape = vectorStart(bytes, graph -> arrayOf(graph).shapeAsByteBuffer().position());
        FlatArray array = arrayOf(FlatGraph.getRootAsFlatGraph(ByteBuffer.wrap(saved)));
        int rank = (int) array.shape(0);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(shape + 8 * (rank + 1), 1L << 20);

        assertRefused(bytes, "stride 1048576");
    }

    @Test
    void aRenamedParameterIsNamed() throws IOException {
        String name = "features.3.banch2.1.weight";
        byte[] bytes = saved.clone();
        int at = indexOf(bytes, name.getBytes());
        bytes[at + "features.3.banch".length()] = '7';

        assertRefused(bytes, "parameter " + name + " is missing");
    }

    @Test
    void aTruncatedModelIsNamedWithTheCause() throws IOException {
        for (int length : new int[] {0, 3, 100, saved.length / 2}) {
            MalformedFileException e = assertRefused(Arrays.copyOf(saved, length), "");
            assertFalse(e.getMessage().contains("(null)"), e.getMessage());
            assertTrue(e.getMessage().contains("expected a model saved by this library"), e.getMessage());
        }
    }

    private static MalformedFileException assertRefused(byte[] bytes, String expected) throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "damaged", ".sd"), bytes);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> ShuffleNet3d.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }

    private static int vectorStart(byte[] bytes, ToIntFunction<FlatGraph> position) {
        return position.applyAsInt(FlatGraph.getRootAsFlatGraph(ByteBuffer.wrap(bytes)));
    }

    private static FlatNode nodeWith(FlatGraph graph, ToIntFunction<FlatNode> length) {
        for (int i = 0; i < graph.nodesLength(); i++) {
            if (length.applyAsInt(graph.nodes(i)) > 0) {
                return graph.nodes(i);
            }
        }
        throw new AssertionError("no node has such a vector");
    }

    /** The array of the first variable holding one of rank 2 or more. */
    private static FlatArray arrayOf(FlatGraph graph) {
        for (int i = 0; i < graph.variablesLength(); i++) {
            FlatVariable variable = graph.variables(i);
            if (variable.ndarray() != null && variable.ndarray().shapeLength() > 0
                    && variable.ndarray().shape(0) >= 2) {
                return variable.ndarray();
            }
        }
        throw new AssertionError("no variable holds an array");
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
