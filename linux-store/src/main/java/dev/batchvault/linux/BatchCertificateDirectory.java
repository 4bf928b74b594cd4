package dev.batchvault.linux;

import dev.batchvault.spi.CertificateQuery;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The directory Azure Batch writes pool certificates into for a task (legacy Batch account
 * certificates): {@code $AZ_BATCH_CERTIFICATES_DIR}, and {@code ~/certs} for certificates with
 * {@code remoteUser} visibility. Files are {@code sha1-<lowercase thumbprint>.pfx} with the password in
 * {@code sha1-<thumbprint>.pfx.pw}.
 */
public final class BatchCertificateDirectory extends DirectorySource {
    /** The variable Batch sets for each task. */
    public static final String CERTIFICATES_DIR_VARIABLE = "AZ_BATCH_CERTIFICATES_DIR";

    private final Map<String, String> environment;
    private final Path home;

    /** For {@link java.util.ServiceLoader}: reads the process environment and {@code user.home}. */
    public BatchCertificateDirectory() {
        this(System.getenv(), Path.of(System.getProperty("user.home")), Clock.systemUTC());
    }

    BatchCertificateDirectory(Map<String, String> environment, Path home, Clock clock) {
        super(clock);
        this.environment = environment;
        this.home = home;
    }

    @Override
    public String name() {
        return "Batch certificate directory";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    List<Directory> directories(CertificateQuery query) {
        List<Directory> dirs = new ArrayList<>();
        String batchDir = environment.get(CERTIFICATES_DIR_VARIABLE);
        if (batchDir != null && !batchDir.isBlank()) {
            dirs.add(new Directory(Path.of(batchDir.trim()), "$" + CERTIFICATES_DIR_VARIABLE));
        }
        dirs.add(new Directory(home.resolve("certs"), "remoteUser visibility"));
        return dirs;
    }

    @Override
    String unreadableAdvice() {
        return "Batch makes this directory for the task's user; check the certificate reference's visibility "
                + "(task, starttask, remoteuser) on the pool.";
    }
}
