package org.shufflenet3d.parity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNetConfig;

/** One entry of the fixtures' {@code cases.json}, as written by {@code generate_fixtures.py}. */
@JsonIgnoreProperties(ignoreUnknown = true)
record ReferenceCase(
        @JsonProperty("name") String name,
        @JsonProperty("arch") String arch,
        @JsonProperty("width") double width,
        @JsonProperty("groups") Integer groups,
        @JsonProperty("classes") int classes,
        @JsonProperty("batch") int batch,
        @JsonProperty("frames") int frames,
        @JsonProperty("height") int height,
        @JsonProperty("width_px") int widthPx,
        @JsonProperty("seed") long seed,
        @JsonProperty("full_weights") boolean fullWeights,
        @JsonProperty("checkpoints") List<Checkpoint> checkpoints) {

    /** A PyTorch checkpoint of the case's weights, and the logits array of its npz that it should give. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Checkpoint(@JsonProperty("file") String file, @JsonProperty("format") String format,
            @JsonProperty("logits") String logits) {
        @Override
        public String toString() {
            return file;
        }
    }

    static final Path DIRECTORY = Paths.get("src/test/resources/fixtures/parity");

    static List<ReferenceCase> all() {
        try {
            return new ObjectMapper().readValue(DIRECTORY.resolve("cases.json").toFile(),
                    new TypeReference<List<ReferenceCase>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ShuffleNetConfig config() {
        return Architecture.fromReferenceName(arch) == Architecture.SHUFFLENET
                ? ShuffleNetConfig.v1(groups, width, classes)
                : ShuffleNetConfig.v2(width, classes);
    }

    ClipShape clip() {
        return new ClipShape(frames, height, widthPx);
    }

    Path arrays() {
        return DIRECTORY.resolve(name + ".npz");
    }

    Path weights() {
        return DIRECTORY.resolve(name + ".weights.npz");
    }

    @Override
    public String toString() {
        return name;
    }
}
