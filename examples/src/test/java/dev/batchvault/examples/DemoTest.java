package dev.batchvault.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The README's demo, end to end: in each of the three ways, the task in its own JVM reads the secret. */
class DemoTest {
    @Test
    void allThreeTasksReadTheirSecret() throws Exception {
        assertThat(Demo.run()).isZero();
    }

    @Test
    void maskingShowsTwoCharactersAtMost() {
        assertThat(BatchTask.mask("abc")).isEqualTo("****");
        assertThat(BatchTask.mask("hunter22")).isEqualTo("hu******");
    }
}
