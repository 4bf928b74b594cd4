package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task JVM as Batch often starts one: an environment with nothing but the pool's
 * {@code BATCHVAULT_*} variables, so no {@code LANG} and no UTF-8. A thumbprint copied from the
 * Windows certificate dialog starts with U+200E, whose three UTF-8 bytes that JVM reads as three
 * U+FFFD.
 */
@EnabledOnOs(OS.LINUX)
class TaskEnvironmentTest {
    private static final String HEX = "3B1EFD3A66EA28B16697394703A72CA340A05BD5";

    @Test
    void aThumbprintCopiedFromTheWindowsDialogWorksWithoutAUtf8Locale(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The script is ASCII; printf writes U+200E's UTF-8 bytes into the variable.
        String script = "exec env -i"
                + " BATCHVAULT_VAULT_URL=https://myvault.vault.azure.net"
                + " BATCHVAULT_TENANT_ID=72f988bf-86f1-41af-91ab-2d7cd011db47"
                + " BATCHVAULT_CLIENT_ID=0b5c1c8a-4c5a-4b8e-9f57-1b9f5d7d3e21"
                + " BATCHVAULT_CERTIFICATE_THUMBPRINT=\"$(printf '\\342\\200\\216')" + HEX + "\""
                + " " + quote(java) + " -cp " + quote(System.getProperty("java.class.path"))
                + " " + ThumbprintFromEnvironment.class.getName() + "\n";
        Path file = Files.writeString(dir.resolve("task.sh"), script, StandardCharsets.US_ASCII);
        Path out = dir.resolve("task.out");
        Process task = new ProcessBuilder("/bin/sh", file.toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertThat(task.waitFor(2, TimeUnit.MINUTES)).as("the task JVM ended").isTrue();
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(output).as("the task JVM read the mark as replacement characters")
                .contains("read U+FFFD first, 43 characters");
        assertThat(output).doesNotContain("not a SHA-1 thumbprint")
                .contains("CertificateNotFoundException: No certificate with thumbprint " + HEX + " was found");
    }

    private static String quote(String s) throws IOException {
        if (s.contains("'")) {
            throw new IOException("cannot quote " + s);
        }
        return "'" + s + "'";
    }
}
