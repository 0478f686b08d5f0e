package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.shufflenet3d.cli.VideoInputs.Outcome;
import org.shufflenet3d.io.AtomicFiles;

/** The files {@code predict} and {@code embed} write, UTF-8 text (CSV, ids) or JSON, each through a temporary file. */
final class ResultFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What writes the text. */
    @FunctionalInterface
    interface Text {
        void writeTo(Writer writer) throws IOException;
    }

    private ResultFiles() {
    }

    static void writeText(Path file, Text text) throws IOException {
        AtomicFiles.write(file, stream -> {
            Writer writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            text.writeTo(writer);
            writer.flush();
        });
    }

    /**
     * A JSON array of one object per video, in order: its {@code video} path, then what {@code entries} puts for its
     * result, or its {@code error}.
     */
    static <R> void writeJson(Path file, List<Outcome<R>> outcomes, BiConsumer<R, Map<String, Object>> entries)
            throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Outcome<R> outcome : outcomes) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("video", outcome.video().toString());
            if (outcome.result() == null) {
                row.put("error", outcome.error());
            } else {
                entries.accept(outcome.result(), row);
            }
            rows.add(row);
        }
        AtomicFiles.write(file, stream -> stream.write(JSON.writeValueAsBytes(rows)));
    }
}
