package dev.batchvault.linux;

import dev.batchvault.spi.CertificateQuery;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the Key Vault VM extension for Linux writes certificates (the path that replaced Batch
 * account certificates): PEM files with the key and chain, in {@code certificateStoreLocation},
 * by default {@code /var/lib/waagent/Microsoft.Azure.KeyVault.Store/} (some documentation says
 * {@code /var/lib/waagent/Microsoft.Azure.KeyVault/}; both are searched), with a
 * {@code <vault>.<certificate>} symlink to the latest version. The folder is root-only (0700).
 */
public final class KeyVaultExtensionStore extends DirectorySource {
    /** The extension's default store locations. */
    public static final List<Path> DEFAULT_LOCATIONS = List.of(
            Path.of("/var/lib/waagent/Microsoft.Azure.KeyVault.Store"),
            Path.of("/var/lib/waagent/Microsoft.Azure.KeyVault"));

    private final List<Path> defaults;

    /** For {@link java.util.ServiceLoader}: searches the extension's default locations. */
    public KeyVaultExtensionStore() {
        this(DEFAULT_LOCATIONS, Clock.systemUTC());
    }

    KeyVaultExtensionStore(List<Path> defaults, Clock clock) {
        super(clock);
        this.defaults = List.copyOf(defaults);
    }

    @Override
    public String name() {
        return "Key Vault VM extension store";
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    List<Directory> directories(CertificateQuery query) {
        List<Directory> dirs = new ArrayList<>();
        for (Path p : defaults) {
            dirs.add(new Directory(p, "extension default"));
        }
        return dirs;
    }

    @Override
    String unreadableAdvice() {
        return "The Key Vault VM extension's store is readable by root only: run the task elevated (Batch: "
                + "userIdentity autoUser with elevationLevel admin), or copy the certificate's files to a directory the "
                + "task's user can read in an elevated start task and list it in certificate-dirs "
                + "(BATCHVAULT_CERTIFICATE_DIRS).";
    }
}
