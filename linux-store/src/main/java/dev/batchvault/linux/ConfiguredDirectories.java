package dev.batchvault.linux;

import dev.batchvault.InvalidConfigurationException;
import dev.batchvault.spi.CertificateQuery;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Directories named in configuration, for instance where an elevated start task copied the Key
 * Vault extension's files: {@code certificate-dirs} (system property
 * {@code batchvault.certificate-dirs}, environment {@code BATCHVAULT_CERTIFICATE_DIRS}), separated
 * by {@code :} or {@code ,}. {@code batchvault.certificate.dirs} is read too. Both Batch's and the
 * extension's layouts are recognised.
 */
public final class ConfiguredDirectories extends DirectorySource {
    /** The setting's key. */
    public static final String SETTING = "certificate-dirs";

    /** For {@link java.util.ServiceLoader}. */
    public ConfiguredDirectories() {
        this(Clock.systemUTC());
    }

    ConfiguredDirectories(Clock clock) {
        super(clock);
    }

    @Override
    public String name() {
        return "configured directories";
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    List<Directory> directories(CertificateQuery query) {
        Optional<String> value = query.setting(SETTING).or(() -> query.setting("certificate.dirs"));
        List<Directory> dirs = new ArrayList<>();
        if (value.isEmpty()) {
            return dirs;
        }
        for (String part : value.get().split("[:,]")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                dirs.add(new Directory(Path.of(part.trim()), SETTING));
            } catch (InvalidPathException e) {
                throw new InvalidConfigurationException(SETTING, SETTING + " names '" + part.trim()
                        + "', which is not a valid path: " + e.getReason() + ".", e);
            }
        }
        return dirs;
    }

    @Override
    String unreadableAdvice() {
        return "Give the task's user read access to it (and to the files in it), or list another directory in "
                + SETTING + ".";
    }
}
