package dev.batchvault.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The seed-flow demo, end to end: steps through the setup module, twice, then the task reads its secret. */
class SeedFlowDemoTest {
    @Test
    void theSeedFlowRunsTwiceAndTheTaskReadsItsSecret() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = SeedFlowDemo.run(out);
        }
        String steps = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(steps).isZero();
        String again = steps.substring(steps.indexOf("apply again:"), steps.indexOf("step 6 (task settings)"));
        assertThat(again).contains("step 2 (application)", "step 2 (service principal)", "step 3 (vault access)",
                "step 4 (account certificate)", "step 4 (pool certificate reference)", "nothing changed")
                .doesNotContain("created").doesNotContain("updated");
        assertThat(steps).containsPattern("task: read batchAdminPass = \\S{2}\\*+ \\(24 characters\\)");
    }
}
