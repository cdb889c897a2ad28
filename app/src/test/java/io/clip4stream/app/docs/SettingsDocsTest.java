package io.clip4stream.app.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.config.Setting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsDocsTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void committedTablesShouldMatchTheSettingsInTheCode() throws Exception {
        for (Map.Entry<String, List<SettingsTable>> doc : SettingsDocs.tables().entrySet()) {
            String committed = Files.readString(ROOT.resolve(doc.getKey()), StandardCharsets.UTF_8);
            String generated = SettingsDocs.regenerate(doc.getKey(), committed);
            assertEquals(
                    generated,
                    committed,
                    doc.getKey()
                            + " has drifted from the code's SETTINGS; regenerate it from the repository root with: "
                            + SettingsDocs.REGENERATE);
        }
    }

    @Test
    void everyServiceSettingShouldAppearInSomeTable() {
        long rows = SettingsDocs.tables().values().stream()
                .flatMap(List::stream)
                .mapToLong(table -> table.settings().size())
                .sum();
        assertTrue(rows >= 60, "all four services' settings and the shared ones: " + rows);
    }

    @Test
    void writesAMachineDependentDefaultInWordsAndRejectsOneForASettingNotInTheTable() {
        Setting<Integer> threads = Setting.integer("CLIP4S_DEMO_THREADS", 3, 1, 8, "Threads.");
        String table = new SettingsTable("demo", "Demo", List.of(threads), Map.of("CLIP4S_DEMO_THREADS", "the cores"))
                .render();
        assertTrue(table.contains("| `CLIP4S_DEMO_THREADS` | the cores | Threads. |"), table);
        assertThrows(
                IllegalArgumentException.class,
                () -> new SettingsTable("demo", "Demo", List.of(threads), Map.of("CLIP4S_OTHER", "x")));
    }

    @Test
    void rendersNameDefaultAndDescriptionAndReplacesOnlyTheMarkedBlock() {
        SettingsTable table = new SettingsTable(
                "demo",
                "Demo.SETTINGS",
                List.of(
                        Setting.integer("CLIP4S_DEMO_PORT", 8080, 0, 65535, "Port (0 = any | free)."),
                        Setting.string("CLIP4S_DEMO_KEYS", "", "API keys."),
                        Setting.string("CLIP4S_DEMO_URL", null, "Where to go.")));
        String document = "# Demo\n\nbefore\n\n<!-- settings:demo -->\nstale\n<!-- /settings:demo -->\n\nafter\n";

        String regenerated = table.spliceInto(document, "demo.md");

        assertEquals("""
                # Demo

                before

                <!-- settings:demo -->
                <!-- generated from Demo.SETTINGS by bin/settings-docs: edit the Setting in the code, then run it -->
                | variable | default | meaning |
                |---|---|---|
                | `CLIP4S_DEMO_PORT` | `8080` | Port (0 = any \\| free). |
                | `CLIP4S_DEMO_KEYS` | (empty) | API keys. |
                | `CLIP4S_DEMO_URL` | (required) | Where to go. |
                <!-- /settings:demo -->

                after
                """, regenerated);
        assertEquals(regenerated, table.spliceInto(regenerated, "demo.md"), "regenerating is idempotent");
        IllegalArgumentException missing =
                assertThrows(IllegalArgumentException.class, () -> table.spliceInto("# no table\n", "demo.md"));
        assertTrue(missing.getMessage().contains("demo.md has no <!-- settings:demo -->"), missing.getMessage());
    }
}
