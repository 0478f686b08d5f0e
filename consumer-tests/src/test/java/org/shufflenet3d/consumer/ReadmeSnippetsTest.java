package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Using it in a DL4J project" section and docs/dl4j.md stay true: each of their Java snippets, imports
 * included, is in ReadmeExamplesTest line for line and in order (so it compiles and runs there), and their
 * dependency block is this project's pom.
 */
class ReadmeSnippetsTest {

    private static final Path README = Path.of("../README.md");
    private static final String SECTION = "## Using it in a DL4J project";
    private static final Path GUIDE = Path.of("../docs/dl4j.md");
    private static final Pattern BLOCK = Pattern.compile("```(java|xml)\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaSnippetRunsInReadmeExamplesTest() throws IOException {
        List<String> examples = lines(Files.readString(
                Path.of("src/test/java/org/shufflenet3d/consumer/ReadmeExamplesTest.java")));
        List<String> snippets = blocks("java");
        assertFalse(snippets.isEmpty(), "no Java snippets in the README's section " + SECTION + " or " + GUIDE);
        for (String snippet : snippets) {
            assertInOrder(lines(snippet), examples, "ReadmeExamplesTest");
        }
    }

    @Test
    void theDependencyBlockIsThisProjects() throws IOException {
        List<String> pom = lines(Files.readString(Path.of("pom.xml")));
        List<String> dependencies = blocks("xml").stream().filter(b -> b.contains("<artifactId>zoo-shufflenet<"))
                .toList();
        assertFalse(dependencies.isEmpty(), "no dependency block naming zoo-shufflenet in " + SECTION + " or "
                + GUIDE);
        for (String block : dependencies) {
            assertInOrder(lines(block).stream().filter(line -> !line.startsWith("<!--")).toList(), pom, "pom.xml");
        }
    }

    /** The README section's blocks of {@code language}, then the guide's. */
    private static List<String> blocks(String language) throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(SECTION);
        assertTrue(start >= 0, "README.md has no section " + SECTION);
        int end = readme.indexOf("\n## ", start + SECTION.length());
        String text = readme.substring(start, end < 0 ? readme.length() : end) + "\n" + Files.readString(GUIDE);
        Matcher matcher = BLOCK.matcher(text);
        List<String> blocks = new ArrayList<>();
        while (matcher.find()) {
            if (matcher.group(1).equals(language)) {
                blocks.add(matcher.group(2));
            }
        }
        return blocks;
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private static void assertInOrder(List<String> wanted, List<String> in, String where) {
        int at = 0;
        for (String line : wanted) {
            int found = in.subList(at, in.size()).indexOf(line);
            assertTrue(found >= 0, "snippet line not found in " + where + " (in this order): " + line);
            at += found + 1;
        }
    }
}
