package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.shade.jackson.core.JsonGenerator;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.shufflenet3d.cli.VideoInputs.Outcome;
import org.shufflenet3d.io.AtomicFiles;

/**
 * The files {@code predict} and {@code embed} write, UTF-8 text (CSV, ids) or JSON, each row as its video is done
 * (memory does not grow with the number of videos), into a temporary file renamed into place when the body
 * returns: when it throws, whatever the file held before is kept.
 */
final class ResultFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What writes the text. */
    @FunctionalInterface
    interface Text {
        void writeTo(Writer writer) throws IOException;
    }

    /** What writes the JSON array's objects, through {@link JsonRows#write}. */
    @FunctionalInterface
    interface Json<R> {
        void writeTo(JsonRows<R> rows) throws IOException;
    }

    /**
     * A JSON array of one object per video, in order: its {@code video} path, then what the entries put for its
     * result, or its {@code error}.
     */
    static final class JsonRows<R> {
        private final JsonGenerator generator;
        private final BiConsumer<R, Map<String, Object>> entries;

        private JsonRows(JsonGenerator generator, BiConsumer<R, Map<String, Object>> entries) {
            this.generator = generator;
            this.entries = entries;
        }

        void write(Outcome<R> outcome) throws IOException {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("video", outcome.video().toString());
            if (outcome.result() == null) {
                row.put("error", outcome.error());
            } else {
                entries.accept(outcome.result(), row);
            }
            generator.writeObject(row);
        }
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

    /** A JSON array whose objects {@code body} writes, each video's {@code entries} after its path. */
    static <R> void writeJson(Path file, BiConsumer<R, Map<String, Object>> entries, Json<R> body)
            throws IOException {
        writeText(file, writer -> {
            JsonGenerator generator = JSON.getFactory().createGenerator(writer).useDefaultPrettyPrinter();
            generator.writeStartArray();
            body.writeTo(new JsonRows<>(generator, entries));
            generator.writeEndArray();
            generator.flush();
        });
    }
}
