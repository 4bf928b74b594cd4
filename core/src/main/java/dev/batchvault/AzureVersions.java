package dev.batchvault;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Refuses, at {@code build()}, Azure SDK jars older than the ones this BatchVault is tested with.
 *
 * <p>A job that already depends on an older Azure library (say azure-storage-blob 12.20, on
 * azure-core 1.33) can get that older azure-core by Maven's nearest-first rule. BatchVault would
 * then fail later, inside the SDK, with a {@code NoClassDefFoundError}. This check reads the version
 * each jar declares about itself ({@code /azure-core.properties}, then its Maven
 * {@code pom.properties}, then its manifest) and names what it found, where, and the fix.
 * It uses no Azure class beyond loading one (uninitialised) to find its jar.
 */
final class AzureVersions {
    /** The key {@link InvalidConfigurationException#setting()} reports. */
    static final String SETTING = "azure-sdk-versions";

    /** Artifact id to a class inside it, in the order they are reported. */
    private static final Map<String, String> PROBES = new LinkedHashMap<>();

    static {
        PROBES.put("azure-core", "com.azure.core.util.CoreUtils");
        PROBES.put("azure-core-http-jdk-httpclient", "com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder");
        PROBES.put("azure-identity", "com.azure.identity.ClientCertificateCredentialBuilder");
        PROBES.put("azure-security-keyvault-secrets", "com.azure.security.keyvault.secrets.SecretClientBuilder");
    }

    private static volatile boolean passed;

    private AzureVersions() {
    }

    /** What was found for one artifact: its version (null if unknown) and jar, or that it is absent. */
    static final class Found {
        final boolean present;
        final String version;
        final String location;

        Found(boolean present, String version, String location) {
            this.present = present;
            this.version = version;
            this.location = location;
        }
    }

    /**
     * Checks the Azure jars on this class or module path, once per class loader.
     *
     * @throws InvalidConfigurationException if one is missing or older than the tested version
     */
    static void check() {
        if (!passed) {
            check(tested(), AzureVersions::find);
            passed = true;
        }
    }

    /**
     * @param tested artifact id to the tested version, plus {@code batchvault} to this version
     * @param finder what the class path holds for an artifact id
     * @throws InvalidConfigurationException if an artifact is missing or older than tested
     */
    static void check(Properties tested, Function<String, Found> finder) {
        List<String> problems = new ArrayList<>();
        StringBuilder testedWith = new StringBuilder();
        for (String artifact : PROBES.keySet()) {
            String want = tested.getProperty(artifact);
            if (want == null) {
                continue;
            }
            testedWith.append(testedWith.length() == 0 ? "" : ", ").append(artifact).append(' ').append(want);
            Found found = finder.apply(artifact);
            if (!found.present) {
                problems.add(artifact + " is not on the class path");
            } else if (found.version != null && compare(found.version, want) < 0) {
                problems.add(artifact + " " + found.version
                        + (found.location == null ? "" : " (from " + found.location + ")"));
            }
        }
        if (problems.isEmpty()) {
            return;
        }
        String version = tested.getProperty("batchvault", "?");
        throw new InvalidConfigurationException(SETTING, "BatchVault " + version + " needs the Azure SDK jars it"
                + " is tested with (" + testedWith + ") or newer, but found " + String.join("; ", problems)
                + ". Another dependency of the job brought the older jar, and Maven or Gradle picked it. Fix: import"
                + " dev.batchvault:batchvault-bom:" + version + " in <dependencyManagement> (type pom, scope import;"
                + " Gradle: implementation(platform(\"dev.batchvault:batchvault-bom:" + version + "\"))), ahead of"
                + " azure-sdk-bom if the job imports it too; `mvn dependency:tree -Dincludes=com.azure` shows who"
                + " brought the old one.");
    }

    /**
     * Compares dotted versions numerically; a pre-release ({@code 1.59.0-beta.1}) is below its release.
     *
     * @param a a version
     * @param b another version
     * @return negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}
     */
    static int compare(String a, String b) {
        String[] x = a.split("-", 2);
        String[] y = b.split("-", 2);
        String[] xs = x[0].split("\\.");
        String[] ys = y[0].split("\\.");
        for (int i = 0; i < Math.max(xs.length, ys.length); i++) {
            long xi = i < xs.length ? number(xs[i]) : 0;
            long yi = i < ys.length ? number(ys[i]) : 0;
            if (xi != yi) {
                return Long.compare(xi, yi);
            }
        }
        return Boolean.compare(x.length == 1, y.length == 1);
    }

    private static long number(String part) {
        int end = 0;
        while (end < part.length() && Character.isDigit(part.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Long.parseLong(part.substring(0, Math.min(end, 18)));
    }

    private static Properties tested() {
        Properties tested = new Properties();
        try (InputStream in = AzureVersions.class.getResourceAsStream("azure-versions.properties")) {
            if (in != null) {
                tested.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read BatchVault's azure-versions.properties", e);
        }
        return tested;
    }

    private static Found find(String artifact) {
        Class<?> probe;
        try {
            probe = Class.forName(PROBES.get(artifact), false, AzureVersions.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return new Found(false, null, null);
        }
        String version = property(probe, "/" + artifact + ".properties", "version");
        if (version == null) {
            version = property(probe, "/META-INF/maven/com.azure/" + artifact + "/pom.properties", "version");
        }
        if (version == null && probe.getPackage() != null) {
            version = probe.getPackage().getImplementationVersion();
        }
        return new Found(true, version, location(probe));
    }

    private static String property(Class<?> probe, String resource, String key) {
        try (InputStream in = probe.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            String value = properties.getProperty(key);
            return value == null || value.isBlank() || value.startsWith("${") ? null : value.trim();
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String location(Class<?> probe) {
        try {
            CodeSource source = probe.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            return url == null ? null : url.getPath();
        } catch (SecurityException e) {
            return null;
        }
    }
}
