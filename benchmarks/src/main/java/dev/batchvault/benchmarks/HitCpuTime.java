package dev.batchvault.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchvault.BatchVault;
import dev.batchvault.emulator.AzureEmulator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The cached read against a bare Caffeine lookup on a busy machine: the two loops alternate, many
 * times, and each is timed by the CPU time of its own thread, which does not count the time the
 * thread waits for a CPU. A companion to {@link SecretReadBenchmark} (JMH, wall-clock time), whose
 * ratio swings widely when other processes share the CPUs.
 *
 * <p>Arguments: rounds (default 30) and calls per round (default 5,000,000).
 */
public final class HitCpuTime {
    private static volatile Object sink;

    private HitCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 5_000_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (AzureEmulator azure = AzureEmulator.start()) {
            BenchmarkVault target = new BenchmarkVault(azure);
            System.setProperty("javax.net.ssl.trustStore", azure.trustStore().toString());
            System.setProperty("javax.net.ssl.trustStorePassword", azure.trustStorePassword());
            target.settings().forEach((k, v) -> System.setProperty("batchvault." + k, v));
            System.setProperty("batchvault.cache-ttl", "1h");
            BatchVault.secret(BenchmarkVault.SECRET);
            Cache<String, String> caffeine = Caffeine.newBuilder().maximumSize(1_000)
                    .expireAfterWrite(Duration.ofMinutes(10)).build();
            caffeine.put(BenchmarkVault.SECRET, BenchmarkVault.VALUE);

            double[] vault = new double[rounds];
            double[] bare = new double[rounds];
            for (int warm = 0; warm < 5; warm++) {
                batchVault(calls);
                caffeine(caffeine, calls);
            }
            for (int r = 0; r < rounds; r++) {
                long t0 = threads.getCurrentThreadCpuTime();
                batchVault(calls);
                long t1 = threads.getCurrentThreadCpuTime();
                caffeine(caffeine, calls);
                long t2 = threads.getCurrentThreadCpuTime();
                vault[r] = (t1 - t0) / (double) calls;
                bare[r] = (t2 - t1) / (double) calls;
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = vault[r] / bare[r];
            }
            System.out.printf(Locale.ROOT, "BatchVault.secret(name), hit: median %.1f ns CPU per call%n", median(vault));
            System.out.printf(Locale.ROOT, "Caffeine getIfPresent:        median %.1f ns CPU per call%n", median(bare));
            System.out.printf(Locale.ROOT, "ratio per round: median %.2f, min %.2f, max %.2f (%d rounds of %,d calls)%n",
                    median(ratios), Arrays.stream(ratios).min().orElse(0), Arrays.stream(ratios).max().orElse(0),
                    rounds, calls);
            BatchVault.defaultInstance().close();
        }
    }

    private static void batchVault(int calls) {
        Object last = null;
        for (int i = 0; i < calls; i++) {
            last = BatchVault.secret(BenchmarkVault.SECRET);
        }
        sink = last;
    }

    private static void caffeine(Cache<String, String> cache, int calls) {
        Object last = null;
        for (int i = 0; i < calls; i++) {
            last = cache.getIfPresent(BenchmarkVault.SECRET);
        }
        sink = last;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
