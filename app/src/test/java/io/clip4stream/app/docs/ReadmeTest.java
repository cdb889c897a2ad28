package io.clip4stream.app.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.app.cli.Clip4StreamCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README stays true and short: every command it shows parses, every relative link in it and docs/ resolves. */
class ReadmeTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern COMMAND = Pattern.compile("bin/clip4stream([^`\\n]*)");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    private static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"));
    }

    @Test
    void readmeIsAShortPage() throws IOException {
        long bytes = Files.size(ROOT.resolve("README.md"));
        assertTrue(bytes <= 15 * 1024, "README.md is " + bytes + " bytes; reference material belongs in docs/");
    }

    @Test
    void everyCommandInTheReadmeParsesWithHelpAndKnowsItsOptions() throws IOException {
        Set<String> checked = new LinkedHashSet<>();
        Matcher matcher = COMMAND.matcher(readme());
        while (matcher.find()) {
            List<String> tokens = List.of(matcher.group(1).strip().split("\\s+"));
            for (List<String> path : commandPaths(tokens)) {
                CommandLine command = find(path);
                checked.add(String.join(" ", path));
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                List<String> args = new ArrayList<>(path);
                args.add("--help");
                int status = Clip4StreamCommand.commandLine(new PrintWriter(out), new PrintWriter(err), Map.of())
                        .execute(args.toArray(String[]::new));
                assertEquals(0, status, "bin/clip4stream " + args + ": " + err);
                assertTrue(
                        out.toString().startsWith("Usage: clip4stream " + String.join(" ", path)),
                        "usage of " + path + ": " + out);
                assertEquals("", err.toString(), "bin/clip4stream " + args);
                // The options the README shows on this command are options it has.
                Matcher option = OPTION.matcher(matcher.group(1));
                while (option.find()) {
                    assertTrue(
                            command.getCommandSpec().findOption(option.group()) != null,
                            "README shows " + option.group() + " on 'bin/clip4stream " + String.join(" ", path)
                                    + "', which has no such option");
                }
            }
        }
        assertTrue(
                checked.containsAll(List.of("run", "ingest", "status", "search", "sources delete")),
                checked.toString());
    }

    @Test
    void everyRelativeLinkResolvesToAFileAndHeading() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md")));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path page : pages) {
            Matcher matcher = LINK.matcher(Files.readString(page));
            while (matcher.find()) {
                String target = matcher.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue;
                }
                links++;
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : "";
                Path resolved =
                        file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                } else if (!anchor.isEmpty() && !anchors(resolved).contains(anchor)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(links > 10, "the README and docs link to each other");
        assertEquals(List.of(), broken);
    }

    /** The sub-command paths a README command names: {@code bench encoder\|decode} is two. */
    private static List<List<String>> commandPaths(List<String> tokens) {
        if (!tokens.get(0).matches("[a-z].*")) {
            return List.of(); // the launcher itself ("`bin/clip4stream` finds a JDK"), no command
        }
        List<List<String>> paths = new ArrayList<>();
        paths.add(List.of());
        for (String token : tokens) {
            List<List<String>> next = new ArrayList<>();
            for (List<String> path : paths) {
                CommandLine command = find(path);
                if (command.getSubcommands().isEmpty()) {
                    next.add(path);
                    continue;
                }
                for (String alternative : token.split("\\\\?\\|")) {
                    if (command.getSubcommands().containsKey(alternative)) {
                        List<String> longer = new ArrayList<>(path);
                        longer.add(alternative);
                        next.add(longer);
                    }
                }
            }
            if (next.equals(paths) || next.isEmpty()) {
                break;
            }
            paths = next;
        }
        paths.forEach(path -> assertFalse(path.isEmpty(), "a README command names no sub-command: " + tokens));
        return paths;
    }

    private static CommandLine find(List<String> path) {
        CommandLine command = Clip4StreamCommand.commandLine(
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of());
        for (String name : path) {
            command = command.getSubcommands().get(name);
        }
        return command;
    }

    /** GitHub's heading anchors of a Markdown file. */
    private static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("#")) {
                String heading = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
                anchors.add(heading.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
