package dev.batchvault.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Today's-way demo, end to end: the steps twice, then the task on the simulated node by identity and by certificate. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class TodaysFlowDemoTest {
    @Test
    void todaysFlowRunsTwiceAndTheTaskReadsItsSecretBothWays() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = TodaysFlowDemo.run(out);
        }
        String steps = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(steps).isZero();
        String again = steps.substring(steps.indexOf("apply again:"), steps.indexOf("step 6 (the library"));
        assertThat(again).contains("step 1 (vault certificate)", "step 2 (application)", "step 5 (user-assigned "
                + "identity)", "step 3 (vault access)", "step 5 (pool)", "nothing changed")
                .doesNotContain("created").doesNotContain("updated");
        assertThat(steps).contains("BATCHVAULT_AUTH_MODE=managed-identity", "BATCHVAULT_AUTH_MODE=certificate");
        Matcher read = Pattern.compile("task: read batchAdminPass = \\S{2}\\*+ \\(24 characters\\)").matcher(steps);
        assertThat(read.find()).as(steps).isTrue();
        assertThat(read.find()).as(steps).isTrue();
    }
}
