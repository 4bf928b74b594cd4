package dev.batchvault.setup;

import com.azure.resourcemanager.batch.models.ApplicationPackageReference;
import com.azure.resourcemanager.batch.models.AutoUserScope;
import com.azure.resourcemanager.batch.models.AutoUserSpecification;
import com.azure.resourcemanager.batch.models.ComputeNodeIdentityReference;
import com.azure.resourcemanager.batch.models.ElevationLevel;
import com.azure.resourcemanager.batch.models.EnvironmentSetting;
import com.azure.resourcemanager.batch.models.ResourceFile;
import com.azure.resourcemanager.batch.models.StartTask;
import com.azure.resourcemanager.batch.models.UserIdentity;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Step 6, its second part: getting the library to a Linux pool's nodes, as the Batch management
 * library's model objects (an application package reference or resource files, and the start task
 * that puts the jars in place) and as a plain {@link #summary()}. Immutable; {@code with…} returns a copy.
 *
 * <p>The start task copies the jars into {@value #LIBRARY_DIR} under {@code $AZ_BATCH_NODE_SHARED_DIR},
 * so that a task runs {@code /bin/sh -c 'java -cp "$AZ_BATCH_NODE_SHARED_DIR/batchvault/lib/*:app.jar" Main'}
 * (Batch does not run command lines in a shell, hence {@code /bin/sh -c}). An application package is
 * extracted by Batch into the directory {@code AZ_BATCH_APP_PACKAGE_<application>_<version>} names (on
 * Linux, {@code .}, {@code -} and {@code #} in the names become {@code _}); resource files are
 * downloaded into the start task's working directory.
 *
 * <p>With the Key Vault VM extension, whose Linux store is readable by root only, {@link
 * #copyExtensionCertificate} makes the start task elevated (pool auto-user, admin) and has it copy the
 * certificate's PEM file (key and certificate) to {@code /opt/batchvault/certs/<vault>.<certificate>.pem},
 * owned by the named user the tasks run as, mode 0600. The copy is taken when the start task runs (each
 * node start and reboot): a certificate the extension renews later reaches the copy at the next start.
 */
public final class NodeDeployment {
    /** Where the start task puts the jars, under {@code $AZ_BATCH_NODE_SHARED_DIR}. */
    public static final String LIBRARY_DIR = "batchvault/lib";
    /** Where the elevated start task copies the extension's certificates. */
    public static final String CERTIFICATE_COPY_DIR = "/opt/batchvault/certs";

    private static final Pattern NAME = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    private final String applicationId;
    private final String applicationVersion;
    private final List<ResourceFile> resourceFiles;
    private final String extensionStore;
    private final String certificateFile;
    private final String taskUser;

    private NodeDeployment(String applicationId, String applicationVersion, List<ResourceFile> resourceFiles,
            String extensionStore, String certificateFile, String taskUser) {
        this.applicationId = applicationId;
        this.applicationVersion = applicationVersion;
        this.resourceFiles = List.copyOf(resourceFiles);
        this.extensionStore = extensionStore;
        this.certificateFile = certificateFile;
        this.taskUser = taskUser;
    }

    /**
     * The library as a Batch application package (a zip of the jars, uploaded to the account's
     * application {@code applicationId} as {@code version}).
     *
     * @param applicationId the application's resource id,
     *     {@code /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Batch/batchAccounts/<a>/applications/<name>}
     * @param version the package version, such as {@code 1.0.0}
     * @return the deployment
     * @throws IllegalArgumentException if the id is not an application's resource id or the version is blank
     */
    public static NodeDeployment applicationPackage(String applicationId, String version) {
        Objects.requireNonNull(applicationId, "applicationId == null");
        Objects.requireNonNull(version, "version == null");
        if (!applicationId.matches("(?i)/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Batch/"
                + "batchAccounts/[^/]+/applications/[^/]+")) {
            throw new IllegalArgumentException("applicationId '" + applicationId + "' is not a Batch application's "
                    + "resource id (/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Batch/batchAccounts/<a>"
                    + "/applications/<name>)");
        }
        if (version.trim().isEmpty()) {
            throw new IllegalArgumentException("version is empty: name the package version the pool installs");
        }
        return new NodeDeployment(applicationId, version.trim(), List.of(), null, null, null);
    }

    /**
     * The library as resource files: each jar downloaded by Batch from its URL into the start task's
     * {@code batchvault/} folder.
     *
     * @param jarUrls HTTPS URLs of the jars (a blob's URL with a SAS, or without one when
     *     {@code identityResourceId} may read it)
     * @param identityResourceId the pool's user-assigned identity that reads the blobs, or null for SAS URLs
     * @return the deployment
     * @throws IllegalArgumentException if there is no URL or one is not an HTTPS URL of a {@code .jar}
     */
    public static NodeDeployment resourceFiles(List<String> jarUrls, String identityResourceId) {
        Objects.requireNonNull(jarUrls, "jarUrls == null");
        if (jarUrls.isEmpty()) {
            throw new IllegalArgumentException("jarUrls is empty: list the URLs of BatchVault's jars");
        }
        List<ResourceFile> files = new ArrayList<>();
        for (String url : jarUrls) {
            URI uri;
            try {
                uri = URI.create(Objects.requireNonNull(url, "a jar URL is null"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("jar URL '" + url + "' is not a URL", e);
            }
            String path = uri.getPath() == null ? "" : uri.getPath();
            if (!"https".equalsIgnoreCase(uri.getScheme()) || !path.toLowerCase(Locale.ROOT).endsWith(".jar")) {
                throw new IllegalArgumentException("jar URL '" + uri.getScheme() + "://" + uri.getHost() + path
                        + "' is not an HTTPS URL of a .jar");
            }
            ResourceFile f = new ResourceFile().withHttpUrl(url)
                    .withFilePath("batchvault/" + path.substring(path.lastIndexOf('/') + 1)).withFileMode("0644");
            if (identityResourceId != null) {
                f.withIdentityReference(new ComputeNodeIdentityReference().withResourceId(identityResourceId));
            }
            files.add(f);
        }
        return new NodeDeployment(null, null, files, null, null, null);
    }

    /**
     * Has the start task, elevated, copy a certificate the Linux Key Vault VM extension installed out
     * of its root-only store, for tasks that run as {@code taskUser}.
     *
     * @param storeLocation the extension's {@code certificateStoreLocation}, such as
     *     {@code /var/lib/waagent/Microsoft.Azure.KeyVault.Store}
     * @param vaultName the vault's name
     * @param certificateName the certificate's name in the vault
     * @param taskUser the pool's named user account the tasks run as (Linux user name)
     * @return a copy with the copy step
     * @throws IllegalArgumentException if a name is not a vault, certificate or Linux user name, or the
     *     store location is not absolute
     */
    public NodeDeployment copyExtensionCertificate(String storeLocation, String vaultName, String certificateName,
            String taskUser) {
        Objects.requireNonNull(storeLocation, "storeLocation == null");
        if (!storeLocation.startsWith("/") || storeLocation.contains("'")) {
            throw new IllegalArgumentException("storeLocation '" + storeLocation + "' is not an absolute path");
        }
        for (String n : List.of(Objects.requireNonNull(vaultName, "vaultName == null"),
                Objects.requireNonNull(certificateName, "certificateName == null"))) {
            if (!NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("'" + n + "' is not a vault or certificate name (letters, digits, -)");
            }
        }
        if (!USER.matcher(Objects.requireNonNull(taskUser, "taskUser == null")).matches()) {
            throw new IllegalArgumentException("taskUser '" + taskUser + "' is not a Linux user name");
        }
        return new NodeDeployment(applicationId, applicationVersion, resourceFiles, storeLocation,
                vaultName + "." + certificateName, taskUser);
    }

    /** @return the pool's application package references; empty with resource files */
    public List<ApplicationPackageReference> applicationPackages() {
        return applicationId == null ? List.of()
                : List.of(new ApplicationPackageReference().withId(applicationId).withVersion(applicationVersion));
    }

    /**
     * @return on Linux, the variable Batch sets to the package's directory, such as
     *     {@code AZ_BATCH_APP_PACKAGE_batchvault_1_0_0}; null with resource files
     */
    public String packageVariable() {
        if (applicationId == null) {
            return null;
        }
        String name = applicationId.substring(applicationId.lastIndexOf('/') + 1);
        return "AZ_BATCH_APP_PACKAGE_" + (name + "_" + applicationVersion).replaceAll("[.#-]", "_");
    }

    /**
     * @return the path of the certificate's copy, the value of {@code BATCHVAULT_CERTIFICATE_PATH}; null
     *     without {@link #copyExtensionCertificate}
     */
    public String certificateCopy() {
        return certificateFile == null ? null : CERTIFICATE_COPY_DIR + "/" + certificateFile + ".pem";
    }

    /** @return the shell command the start task runs (inside {@code /bin/sh -c}) */
    String script() {
        StringBuilder s = new StringBuilder("set -e; mkdir -p \"$AZ_BATCH_NODE_SHARED_DIR/" + LIBRARY_DIR + "\"; ");
        String from = applicationId != null ? "$" + packageVariable() : "$AZ_BATCH_TASK_WORKING_DIR/batchvault";
        s.append("cp \"").append(from).append("\"/*.jar \"$AZ_BATCH_NODE_SHARED_DIR/").append(LIBRARY_DIR)
                .append("/\"; chmod -R a+rX \"$AZ_BATCH_NODE_SHARED_DIR/batchvault\"");
        if (certificateFile != null) {
            String copy = certificateCopy();
            s.append("; install -d -m 0755 ").append(CERTIFICATE_COPY_DIR)
                    .append("; install -m 0600 -o ").append(taskUser).append(" '").append(extensionStore).append('/')
                    .append(certificateFile).append("' ").append(copy);
        }
        return s.toString();
    }

    /**
     * The pool's start task: puts the jars in place (and copies the extension's certificate, elevated),
     * waits for success, retries twice, and sets the task settings for itself. Give tasks the same
     * settings as the job's or task's environment ({@link TaskSettings#environmentSettings()}).
     *
     * @param settings step 6's settings, or null
     * @return the start task
     */
    public StartTask startTask(TaskSettings settings) {
        List<EnvironmentSetting> env = settings == null ? null : settings.environmentSettings();
        return new StartTask().withCommandLine("/bin/sh -c '" + script().replace("'", "'\\''") + "'")
                .withResourceFiles(resourceFiles.isEmpty() ? null : resourceFiles)
                .withEnvironmentSettings(env)
                .withUserIdentity(new UserIdentity().withAutoUser(new AutoUserSpecification()
                        .withScope(AutoUserScope.POOL)
                        .withElevationLevel(certificateFile == null ? ElevationLevel.NON_ADMIN : ElevationLevel.ADMIN)))
                .withMaxTaskRetryCount(2)
                .withWaitForSuccess(true);
    }

    /** @return what reaches the node and where, one line each */
    public String summary() {
        StringBuilder out = new StringBuilder();
        if (applicationId != null) {
            out.append("application package ").append(applicationId.substring(applicationId.lastIndexOf('/') + 1))
                    .append(' ').append(applicationVersion).append(" (extracted to $").append(packageVariable())
                    .append(")\n");
        }
        for (ResourceFile f : resourceFiles) {
            out.append("resource file ").append(f.filePath()).append(f.identityReference() == null ? ""
                    : " (read with the pool's identity)").append('\n');
        }
        out.append("start task: copies the jars to $AZ_BATCH_NODE_SHARED_DIR/").append(LIBRARY_DIR).append('\n');
        if (certificateFile != null) {
            out.append("start task (elevated): copies ").append(extensionStore).append('/').append(certificateFile)
                    .append(" to ").append(certificateCopy()).append(" for user ").append(taskUser)
                    .append(" (mode 0600)\n");
        }
        out.append("task command: /bin/sh -c 'java -cp \"$AZ_BATCH_NODE_SHARED_DIR/").append(LIBRARY_DIR)
                .append("/*:<your jar>\" <your main class>'\n");
        return out.toString();
    }

    @Override
    public String toString() {
        return "NodeDeployment{" + summary().trim().replace('\n', ';') + "}";
    }
}
