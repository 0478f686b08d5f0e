package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** OMP_WAIT_POLICY is set once, before ND4J loads, and asking again after it has loaded gives the same answer. */
class NativeThreadsTest {

    @TempDir
    Path dir;

    /** Run in a JVM of its own, without OMP_WAIT_POLICY in its environment. */
    public static void main(String[] args) {
        boolean before = NativeThreads.preferPassiveWaiting();
        Nd4j.create(2, 2).addi(1);
        System.out.println("passive " + before + " " + NativeThreads.preferPassiveWaiting());
    }

    @Test
    void theFirstAnswerStandsAfterNd4jHasLoaded() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                NativeThreadsTest.class.getName()));
        builder.environment().remove(NativeThreads.WAIT_POLICY);
        Path log = Files.createTempFile(dir, "run", ".log");
        Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), output);
        assertEquals(List.of("passive true true"), output.lines().filter(line -> line.startsWith("passive ")).toList(),
                output);
        assertFalse(output.contains("was loaded before"), output);
    }
}
