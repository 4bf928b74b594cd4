package dev.batchvault.benchmarks;

import dev.batchvault.emulator.AzureEmulator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whole-process timing: a fresh JVM from start to its first secret, this library (JDK transport,
 * no Netty on the class path) against a plain azure-identity + SecretClient program (Netty), both
 * against the same emulator, alternating, several runs each. Prints each run, the medians and
 * the ratio.
 *
 * <p>Usage: {@code StartupBenchmark <classpath file> <classes dir> [runs]}
 */
public final class StartupBenchmark {
    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> dependencies = Arrays.asList(Files.readString(Path.of(args[0])).trim().split(File.pathSeparator));
        String classes = args[1];
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;

        List<String> libraryPath = new ArrayList<>(List.of(classes));
        dependencies.stream().filter(j -> !Path.of(j).getFileName().toString().contains("netty")).forEach(libraryPath::add);
        List<String> sdkPath = new ArrayList<>(List.of(classes));
        dependencies.stream().filter(j -> !Path.of(j).getFileName().toString().startsWith("azure-core-http-jdk-httpclient")
                && !Path.of(j).getFileName().toString().startsWith("batchvault-")).forEach(sdkPath::add);

        try (AzureEmulator azure = AzureEmulator.start()) {
            BenchmarkVault target = new BenchmarkVault(azure);
            Map<String, String> env = new HashMap<>();
            target.settings().forEach((k, v) -> env.put("BATCHVAULT_" + k.toUpperCase(java.util.Locale.ROOT).replace('-', '_'), v));
            List<String> jvm = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djavax.net.ssl.trustStore=" + azure.trustStore(),
                    "-Djavax.net.ssl.trustStorePassword=" + azure.trustStorePassword(),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=error");

            run(jvm, libraryPath, FirstSecretWithBatchVault.class, env); // warm the OS file cache once
            run(jvm, sdkPath, FirstSecretWithSdk.class, env);
            List<Long> library = new ArrayList<>();
            List<Long> sdk = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                library.add(run(jvm, libraryPath, FirstSecretWithBatchVault.class, env));
                sdk.add(run(jvm, sdkPath, FirstSecretWithSdk.class, env));
            }
            long libraryMedian = median(library);
            long sdkMedian = median(sdk);
            System.out.println("runs: " + runs + " each, alternating; " + Runtime.getRuntime().availableProcessors()
                    + " CPUs; java " + System.getProperty("java.version"));
            System.out.println("BatchVault (JDK HttpClient), ms: " + library + " median " + libraryMedian);
            System.out.println("azure-identity + SecretClient (Netty), ms: " + sdk + " median " + sdkMedian);
            System.out.printf("ratio BatchVault / plain SDK: %.2f%n", (double) libraryMedian / sdkMedian);
            System.out.println("class path jars: BatchVault " + (libraryPath.size() - 1) + ", plain SDK "
                    + (sdkPath.size() - 1));
        }
    }

    private static long run(List<String> jvm, List<String> classPath, Class<?> main, Map<String, String> env)
            throws Exception {
        List<String> command = new ArrayList<>(jvm);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath));
        command.add(main.getName());
        command.add(BenchmarkVault.SECRET);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int exit = p.waitFor();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (exit != 0 || !out.trim().endsWith(String.valueOf(BenchmarkVault.VALUE.length()))) {
            throw new IllegalStateException(main.getSimpleName() + " failed (" + exit + "):\n" + out);
        }
        return millis;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().collect(Collectors.toList());
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

}
