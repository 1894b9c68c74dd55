package io.ringbus.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link and {@code #anchor} in the project's Markdown pages leads somewhere: the READMEs
 * send a newcomer from page to page, and a moved class or a renamed heading must not leave a dead end.
 * Anchors follow GitHub's rule (lower case, punctuation but '-' and '_' dropped, spaces to '-', a
 * repeated heading gets -1, -2, ...).
 */
class DocumentationLinksTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", "."), "..").normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    /** Build output, benchmark reports and tool folders: not documentation. */
    private static final String GENERATED = "(.*/)?(target|\\.git|\\.mvn|\\.bench|bench-report|node_modules)/.*";
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<Path> pages = pages();
        assertTrue(pages.size() >= 5, "found only " + pages + " under " + ROOT.toAbsolutePath());
        Map<Path, Set<String>> anchors = new HashMap<>();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            List<String> lines = Files.readAllLines(page);
            for (int i = 0; i < lines.size(); i++) {
                for (String target : links(lines, i)) {
                    if (target.matches("^[a-z]+:.*")) {
                        continue; // http:, https:, mailto:
                    }
                    checked++;
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    Path resolved = file.isEmpty() ? page
                        : page.getParent().resolve(URLDecoder.decode(file, StandardCharsets.UTF_8)).normalize();
                    String where = ROOT.relativize(page) + ":" + (i + 1) + ": " + target;
                    if (!Files.exists(resolved)) {
                        broken.add(where + " (no such file)");
                    } else if (hash >= 0) {
                        Set<String> known = anchors.computeIfAbsent(resolved, DocumentationLinksTest::anchorsOf);
                        if (!known.contains(target.substring(hash + 1))) {
                            broken.add(where + " (no such heading)");
                        }
                    }
                }
            }
        }
        assertTrue(checked > 20, "only " + checked + " links checked: is the link pattern right?");
        assertEquals(List.of(), broken, "broken links in the documentation");
    }

    private static List<Path> pages() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                .filter(p -> !ROOT.relativize(p).toString().matches(GENERATED))
                .sorted().toList();
        }
    }

    /** The link targets on line {@code index}, outside code fences and code spans. */
    private static List<String> links(List<String> lines, int index) {
        if (insideFence(lines, index)) {
            return List.of();
        }
        String line = CODE_SPAN.matcher(lines.get(index)).replaceAll(m -> m.group().contains("](")
            ? Matcher.quoteReplacement(m.group()) : " ");
        List<String> targets = new ArrayList<>();
        Matcher m = LINK.matcher(line);
        while (m.find()) {
            targets.add(m.group(1));
        }
        return targets;
    }

    private static boolean insideFence(List<String> lines, int index) {
        boolean fence = false;
        for (int i = 0; i <= index; i++) {
            if (lines.get(i).stripLeading().startsWith("```")) {
                fence = !fence;
                if (i == index) {
                    return true;
                }
            }
        }
        return fence;
    }

    private static Set<String> anchorsOf(Path page) {
        Set<String> result = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        try {
            boolean fence = false;
            for (String line : Files.readAllLines(page)) {
                if (line.stripLeading().startsWith("```")) {
                    fence = !fence;
                    continue;
                }
                Matcher m = HEADING.matcher(line);
                if (fence || !m.matches()) {
                    continue;
                }
                String slug = slug(m.group(2));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                result.add(n == 0 ? slug : slug + "-" + n);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return result;
    }

    private static String slug(String heading) {
        String text = heading.replaceAll("<[^>]+>", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        text = text.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "");
        return text.replace(' ', '-');
    }
}
