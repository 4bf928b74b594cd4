package dev.batchvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The Azure SDK version check that {@code build()} runs first. */
class AzureVersionsTest {

    private static Properties tested() {
        Properties tested = new Properties();
        tested.setProperty("batchvault", "1.2.3");
        tested.setProperty("azure-core", "1.59.0");
        tested.setProperty("azure-core-http-jdk-httpclient", "1.1.6");
        tested.setProperty("azure-identity", "1.18.4");
        tested.setProperty("azure-security-keyvault-secrets", "4.11.1");
        return tested;
    }

    private static AzureVersions.Found jar(String version) {
        return new AzureVersions.Found(true, version, "/jobs/lib/x-" + version + ".jar");
    }

    @Test
    void theBuildsOwnClassPathPasses() {
        assertThatCode(AzureVersions::check).doesNotThrowAnyException();
    }

    @Test
    void theTestedVersionsAreFilledInFromTheBom() throws Exception {
        Properties filled = new Properties();
        try (var in = AzureVersions.class.getResourceAsStream("azure-versions.properties")) {
            filled.load(in);
        }
        assertThat(filled.stringPropertyNames()).containsExactlyInAnyOrder("batchvault", "azure-core",
                "azure-core-http-jdk-httpclient", "azure-identity", "azure-security-keyvault-secrets");
        assertThat(filled.values()).allSatisfy(v -> assertThat((String) v).matches("\\d+\\.\\d+\\.\\d+.*"));
    }

    @Test
    void equalOrNewerJarsPass() {
        Map<String, String> found = Map.of("azure-core", "1.60.0", "azure-core-http-jdk-httpclient", "1.1.6",
                "azure-identity", "1.18.4", "azure-security-keyvault-secrets", "4.12.0");
        assertThatCode(() -> AzureVersions.check(tested(), a -> jar(found.get(a)))).doesNotThrowAnyException();
    }

    @Test
    void anOlderAzureCoreIsRefusedWithTheVersionsFoundAndTheFix() {
        Map<String, String> found = Map.of("azure-core", "1.33.0", "azure-core-http-jdk-httpclient", "1.1.6",
                "azure-identity", "1.18.4", "azure-security-keyvault-secrets", "4.11.1");
        assertThatThrownBy(() -> AzureVersions.check(tested(), a -> jar(found.get(a))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("azure-core 1.33.0 (from /jobs/lib/x-1.33.0.jar)")
                .hasMessageContaining("tested with (azure-core 1.59.0, azure-core-http-jdk-httpclient 1.1.6,"
                        + " azure-identity 1.18.4, azure-security-keyvault-secrets 4.11.1)")
                .hasMessageContaining("import dev.batchvault:batchvault-bom:1.2.3")
                .hasMessageNotContaining("azure-identity 1.18.4 (from")
                .extracting(e -> ((InvalidConfigurationException) e).setting()).isEqualTo(AzureVersions.SETTING);
    }

    @Test
    void everyOldOrMissingJarIsNamedAtOnce() {
        Map<String, AzureVersions.Found> found = Map.of(
                "azure-core", jar("1.59.0"),
                "azure-core-http-jdk-httpclient", jar("1.1.6"),
                "azure-identity", new AzureVersions.Found(false, null, null),
                "azure-security-keyvault-secrets", jar("4.10.0"));
        assertThatThrownBy(() -> AzureVersions.check(tested(), found::get))
                .hasMessageContaining("azure-identity is not on the class path")
                .hasMessageContaining("azure-security-keyvault-secrets 4.10.0");
    }

    @Test
    void anUnknownVersionIsGivenTheBenefitOfTheDoubt() {
        assertThatCode(() -> AzureVersions.check(tested(), a -> new AzureVersions.Found(true, null, null)))
                .doesNotThrowAnyException();
    }

    @Test
    void versionsCompareNumericallyAndPreReleasesComeFirst() {
        assertThat(AzureVersions.compare("1.9.0", "1.10.0")).isNegative();
        assertThat(AzureVersions.compare("1.59", "1.59.0")).isZero();
        assertThat(AzureVersions.compare("1.59.0-beta.1", "1.59.0")).isNegative();
        assertThat(AzureVersions.compare("1.59.1-beta.1", "1.59.0")).isPositive();
        assertThat(AzureVersions.compare("4.11.1", "4.11.1")).isZero();
    }
}
