package dev.batchvault.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphKeyCredentialInner;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Graph documents a key credential's key as standard base64; the library's model reads base64url. */
class KeyCredentialReadingTest {
    @Test
    void thumbprintFromStandardBase64WhichTheModelCannotDecode() throws Exception {
        GeneratedCertificate made = null;
        String key = null;
        // a certificate whose standard base64 has a '+' or '/', as nearly every one has
        for (int i = 0; i < 20 && (key == null || !(key.contains("+") || key.contains("/"))); i++) {
            made = GeneratedCertificate.create(CertificateSpec.builder().build());
            key = Base64.getEncoder().encodeToString(made.cer());
        }
        String json = "{\"keyId\":\"6c1f2b1e-6a47-4e3f-9a8e-2f5d1c0b7a11\",\"type\":\"AsymmetricX509Cert\","
                + "\"usage\":\"Verify\",\"key\":\"" + key + "\"}";
        MicrosoftGraphKeyCredentialInner k;
        try (JsonReader reader = JsonProviders.createReader(json)) {
            k = MicrosoftGraphKeyCredentialInner.fromJson(reader);
        }
        assertThatThrownBy(k::key).isInstanceOf(IllegalArgumentException.class);
        assertThat(ApplicationStep.thumbprint(k)).isEqualTo(made.thumbprint());

        MicrosoftGraphKeyCredentialInner url = new MicrosoftGraphKeyCredentialInner().withKey(made.cer());
        assertThat(ApplicationStep.thumbprint(url)).isEqualTo(made.thumbprint());
    }
}
