package dev.batchvault.examples;

import dev.batchvault.emulator.AzureEmulator;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** What the demos share: a Batch-style task in its own JVM, a generated password, a scratch tree removed. */
final class TaskJvm {
    private TaskJvm() {
    }

    /**
     * Runs {@link BatchTask} in a new JVM that sees only these settings (none of this JVM's
     * {@code BATCHVAULT_*}, {@code AZURE_*} or {@code AZ_BATCH_*} variables) and trusts the emulator's
     * CA; its output is piped to {@code out}, each line after {@code indent}, never inherited.
     *
     * @return the task's exit code
     */
    static int run(AzureEmulator azure, Map<String, String> env, PrintStream out, String indent)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djavax.net.ssl.trustStore=" + azure.trustStore());
        command.add("-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BatchTask.class.getName());
        ProcessBuilder task = new ProcessBuilder(command).redirectErrorStream(true);
        task.environment().keySet().removeIf(k -> k.startsWith("BATCHVAULT_") || k.startsWith("AZURE_")
                || k.startsWith("AZ_BATCH_"));
        task.environment().putAll(env);
        Process process = task.start();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), Charset.defaultCharset()))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                out.println(indent + line);
            }
        }
        return process.waitFor();
    }

    /** @return a random password, URL-safe base64 of 18 random bytes */
    static String generatedPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Deletes a file or a directory tree, as far as it can. */
    static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
