package dev.batchvault.benchmarks;

import dev.batchvault.BatchVault;

/** A fresh JVM to its first secret with this library, configured by BATCHVAULT_* variables. */
public final class FirstSecretWithBatchVault {
    private FirstSecretWithBatchVault() {
    }

    public static void main(String[] args) {
        System.out.println(BatchVault.secret(args[0]).length());
    }
}
