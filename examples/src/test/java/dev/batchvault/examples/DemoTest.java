package dev.batchvault.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's demo, end to end: in each of the three ways, the task in its own JVM reads the secret. */
class DemoTest {
    @Test
    void allThreeTasksReadTheirSecret() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int failed;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            failed = Demo.run(out);
        }
        String steps = printed.toString(StandardCharsets.UTF_8);
        assertThat(failed).as(steps).isZero();
        assertThat(steps).contains("(1) the pool's managed identity (no certificate)")
                .contains("The task read the secret: 1 token issued by the node's IMDS.")
                .contains("(2) a certificate installed by the Key Vault VM extension (Linux)")
                .contains("(3) a Batch account certificate in AZ_BATCH_CERTIFICATES_DIR (retired 2024-02-29")
                .contains("All three tasks read batchAdminPass.");
        assertThat(steps.split("task: read batchAdminPass = \\S{2}\\*+ \\(24 characters\\)", -1)).hasSize(4);
    }

    @Test
    void maskingShowsTwoCharactersAtMost() {
        assertThat(BatchTask.mask("abc")).isEqualTo("****");
        assertThat(BatchTask.mask("hunter22")).isEqualTo("hu******");
    }
}
