package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The READMEs' settings tables say what the table in {@link Settings} says. */
class SettingsReadmeTest {
    private static final Pattern ROOT_ROW = Pattern.compile("^\\|.*\\| `batchvault\\.([a-z0-9-]+)` \\| `([A-Z0-9_]+)` \\|$");

    /** Rows of core/README.md's table: key to {meaning, default}. */
    private static Map<String, String[]> coreRows() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8)) {
            if (line.startsWith("| `")) {
                String[] cells = line.substring(1, line.length() - 1).split(" \\| ", -1);
                String key = cells[0].trim().replace("`", "");
                String def = cells[2].trim();
                rows.put(key, new String[] {cells[1].trim(), def.equals("—") ? "" : def.replace("`", "")});
            }
        }
        return rows;
    }

    @Test
    void coreReadmeListsExactlyTheKeysWithTheirMeaningsAndDefaults() throws IOException {
        Map<String, String[]> rows = coreRows();
        assertThat(rows.keySet()).containsExactlyElementsOf(
                Settings.ALL.stream().map(Setting::key).collect(Collectors.toList()));
        for (Setting<?> s : Settings.ALL) {
            assertThat(rows.get(s.key())[0]).as("meaning of " + s.key()).isEqualTo(s.doc());
            assertThat(rows.get(s.key())[1]).as("default of " + s.key()).isEqualTo(s.defaultText());
            if (s.defaultValue() != null) {
                assertThat((Object) s.parse(s.defaultText(), "the README")).as("the README's default of " + s.key()
                        + " is the default").isEqualTo(s.defaultValue());
            }
        }
    }

    @Test
    void theRepositoryReadmeNamesOnlyKeysThatExist() throws IOException {
        List<String> known = Settings.ALL.stream().map(Setting::key).collect(Collectors.toList());
        int listed = 0;
        for (String line : Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8)) {
            Matcher m = ROOT_ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            listed++;
            assertThat(m.group(2)).as("variable of " + m.group(1)).isEqualTo(Settings.variable(m.group(1)));
            if (!line.contains("(linux-store)") && !line.contains("(windows-store)")) {
                assertThat(known).as("a key the repository README names").contains(m.group(1));
            }
        }
        assertThat(listed).as("rows found in the repository README").isGreaterThan(5);
    }
}
