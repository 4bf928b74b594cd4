package dev.batchvault.setup;

import com.azure.core.util.Context;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.authorization.fluent.models.Get2ItemsItem;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphApplicationInner;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphKeyCredentialInner;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphServicePrincipalInner;
import com.azure.resourcemanager.authorization.models.ActiveDirectoryApplication;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Step 2: the application with the certificates as key credentials, and its service principal. */
final class ApplicationStep {
    static final String ROLE = "the Microsoft Graph application permission Application.ReadWrite.All (admin consent), "
            + "or the directory role Application Administrator";

    private final AuthorizationManager graph;
    private final String displayName;
    private final List<X509Certificate> certificates;
    private final List<String> retired;

    ApplicationStep(AuthorizationManager graph, String displayName, List<X509Certificate> certificates,
            List<String> retired) {
        this.graph = graph;
        this.displayName = displayName;
        this.certificates = List.copyOf(certificates);
        this.retired = List.copyOf(retired);
    }

    static final class Result {
        final List<StepResult> steps = new ArrayList<>();
        String clientId;
        String principalObjectId;
    }

    Result run(boolean dryRun) {
        Result result = new Result();
        String resource = "application '" + displayName + "'";
        List<ActiveDirectoryApplication> found = Failures.call(Step.APPLICATION, resource, ROLE, () -> {
            List<ActiveDirectoryApplication> apps = new ArrayList<>();
            graph.applications().listByFilter("displayName eq '" + displayName.replace("'", "''") + "'")
                    .forEach(apps::add);
            return apps;
        });
        if (found.size() > 1) {
            List<String> ids = new ArrayList<>();
            found.forEach(a -> ids.add(a.applicationId()));
            throw new SetupException(Step.APPLICATION, resource, 409, "NameConflict", "a name conflict: "
                    + found.size() + " applications have this display name (application ids " + ids + "); give a "
                    + "unique name, or delete the ones not meant", null);
        }
        String thumbprints = thumbprints(certificates);
        String appObjectId;
        if (found.isEmpty()) {
            if (dryRun) {
                result.steps.add(new StepResult(Step.APPLICATION, resource, Outcome.CREATED,
                        "with certificate " + thumbprints + " as key credential", true));
                result.steps.add(new StepResult(Step.SERVICE_PRINCIPAL, "service principal of " + resource,
                        Outcome.CREATED, "", true));
                return result;
            }
            ActiveDirectoryApplication app = Failures.call(Step.APPLICATION, resource, ROLE, this::create);
            result.clientId = app.applicationId();
            appObjectId = app.id();
            result.steps.add(new StepResult(Step.APPLICATION, resource, Outcome.CREATED,
                    "application id " + app.applicationId() + ", certificate " + thumbprints, false));
        } else {
            ActiveDirectoryApplication app = found.get(0);
            result.clientId = app.applicationId();
            appObjectId = app.id();
            result.steps.add(Failures.call(Step.APPLICATION, resource, ROLE,
                    () -> reconcileKeys(app, resource, dryRun)));
        }
        String spResource = "service principal of " + resource;
        String appId = result.clientId;
        MicrosoftGraphServicePrincipalInner sp = Failures.call(Step.SERVICE_PRINCIPAL, spResource, ROLE, () -> {
            for (MicrosoftGraphServicePrincipalInner p : graph.serviceClient().getServicePrincipalsServicePrincipals()
                    .listServicePrincipal(null, null, null, null, "appId eq '" + appId + "'", null, null, null, null,
                            Context.NONE)) {
                return p;
            }
            return null;
        });
        if (sp != null) {
            result.principalObjectId = sp.id();
            result.steps.add(new StepResult(Step.SERVICE_PRINCIPAL, spResource, Outcome.UNCHANGED,
                    "object id " + sp.id(), dryRun));
        } else if (dryRun) {
            result.steps.add(new StepResult(Step.SERVICE_PRINCIPAL, spResource, Outcome.CREATED, "", true));
        } else {
            MicrosoftGraphServicePrincipalInner made = Failures.call(Step.SERVICE_PRINCIPAL, spResource, ROLE,
                    () -> graph.serviceClient().getServicePrincipalsServicePrincipals().createServicePrincipal(
                            new MicrosoftGraphServicePrincipalInner().withAppId(appId)));
            result.principalObjectId = made.id();
            result.steps.add(new StepResult(Step.SERVICE_PRINCIPAL, spResource, Outcome.CREATED,
                    "object id " + made.id(), false));
        }
        return result;
    }

    private ActiveDirectoryApplication create() {
        ActiveDirectoryApplication.DefinitionStages.WithCreate definition = graph.applications().define(displayName)
                .withAccountType(com.azure.resourcemanager.authorization.models.ApplicationAccountType.AZURE_AD_MY_ORG);
        // The fluent API adds each certificate as an asymmetric X.509 key credential with usage Verify.
        for (X509Certificate c : certificates) {
            definition = definition.defineCertificateCredential(GeneratedCertificate.thumbprintOf(c))
                    .withAsymmetricX509Certificate()
                    .withPublicKey(GeneratedCertificate.der(c))
                    .withStartDate(start(c))
                    .withDuration(Duration.between(start(c), end(c)))
                    .attach();
        }
        return definition.create();
    }

    /** Step 7: the application's certificate key credentials with their dates; empty if it does not exist. */
    List<RegisteredCertificate> certificates() {
        String resource = "application '" + displayName + "'";
        return Failures.call(Step.APPLICATION, resource, ROLE, () -> {
            List<RegisteredCertificate> out = new ArrayList<>();
            for (ActiveDirectoryApplication app : graph.applications()
                    .listByFilter("displayName eq '" + displayName.replace("'", "''") + "'")) {
                MicrosoftGraphApplicationInner withKeys = graph.serviceClient().getApplicationsApplications()
                        .getApplicationWithResponse(app.id(), null, List.of(Get2ItemsItem.KEY_CREDENTIALS), null,
                                Context.NONE).getValue();
                if (withKeys.keyCredentials() != null) {
                    for (MicrosoftGraphKeyCredentialInner k : withKeys.keyCredentials()) {
                        out.add(new RegisteredCertificate(thumbprint(k), k.displayName(),
                                k.startDateTime() == null ? null : k.startDateTime().toInstant(),
                                k.endDateTime() == null ? null : k.endDateTime().toInstant()));
                    }
                }
            }
            out.sort(java.util.Comparator.comparing(RegisteredCertificate::validUntil,
                    java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
            return out;
        });
    }

    /** Adds missing certificates (and removes retired ones), keeping every other key credential as it is. */
    private StepResult reconcileKeys(ActiveDirectoryApplication app, String resource, boolean dryRun) {
        // GET with $select=keyCredentials is the one read that returns the keys themselves, which an
        // update must send back for the credentials it keeps.
        MicrosoftGraphApplicationInner withKeys = graph.serviceClient().getApplicationsApplications()
                .getApplicationWithResponse(app.id(), null, List.of(Get2ItemsItem.KEY_CREDENTIALS), null, Context.NONE)
                .getValue();
        List<MicrosoftGraphKeyCredentialInner> keys = withKeys.keyCredentials() == null ? new ArrayList<>()
                : new ArrayList<>(withKeys.keyCredentials());
        List<String> present = new ArrayList<>();
        List<MicrosoftGraphKeyCredentialInner> kept = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (MicrosoftGraphKeyCredentialInner k : keys) {
            String t = thumbprint(k);
            if (t != null && retired.contains(t)) {
                removed.add(t);
            } else {
                kept.add(k);
                if (t != null) {
                    present.add(t);
                }
            }
        }
        List<String> added = new ArrayList<>();
        for (X509Certificate c : certificates) {
            String t = GeneratedCertificate.thumbprintOf(c);
            if (!present.contains(t)) {
                added.add(t);
                kept.add(new MicrosoftGraphKeyCredentialInner()
                        .withKeyId(UUID.randomUUID())
                        .withType("AsymmetricX509Cert")
                        .withUsage("Verify")
                        .withDisplayName(t)
                        .withKey(GeneratedCertificate.der(c))
                        .withStartDateTime(start(c))
                        .withEndDateTime(end(c)));
            }
        }
        if (added.isEmpty() && removed.isEmpty()) {
            return new StepResult(Step.APPLICATION, resource, Outcome.UNCHANGED, "application id "
                    + app.applicationId() + ", certificate " + thumbprints(certificates) + " registered", dryRun);
        }
        String detail = (added.isEmpty() ? "" : "add certificate " + added) + (removed.isEmpty() ? ""
                : (added.isEmpty() ? "" : ", ") + "remove certificate " + removed) + "; " + (kept.size() - added.size())
                + " other key credential(s) kept";
        if (!dryRun) {
            graph.serviceClient().getApplicationsApplications().updateApplicationWithResponse(app.id(),
                    new MicrosoftGraphApplicationInner().withKeyCredentials(kept), Context.NONE);
        }
        return new StepResult(Step.APPLICATION, resource, Outcome.UPDATED, detail, dryRun);
    }

    /**
     * The certificate's thumbprint from a key credential. The library models {@code key} as base64url
     * and its {@code key()} throws on the standard base64 Graph documents ("converted to Base64
     * string"), so the text is read from the credential's JSON and decoded either way.
     */
    static String thumbprint(MicrosoftGraphKeyCredentialInner k) {
        byte[] der = decodeLenient(field(k, "key"));
        if (der != null) {
            try {
                X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der));
                return GeneratedCertificate.thumbprintOf(c);
            } catch (CertificateException | RuntimeException e) {
                // fall back to the custom key identifier
            }
        }
        byte[] id = decodeLenient(field(k, "customKeyIdentifier"));
        if (id != null && id.length == 20) {
            StringBuilder hex = new StringBuilder();
            for (byte b : id) {
                hex.append(String.format(Locale.ROOT, "%02X", b));
            }
            return hex.toString();
        }
        return null;
    }

    private static String field(MicrosoftGraphKeyCredentialInner k, String name) {
        try {
            String json = k.toJsonString();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"")
                    .matcher(json);
            return m.find() ? m.group(1) : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static byte[] decodeLenient(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return java.util.Base64.getUrlDecoder().decode(text.replace("\\/", "/").replace('+', '-')
                    .replace('/', '_').replace("=", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static OffsetDateTime start(X509Certificate c) {
        return c.getNotBefore().toInstant().atOffset(ZoneOffset.UTC);
    }

    private static OffsetDateTime end(X509Certificate c) {
        return c.getNotAfter().toInstant().atOffset(ZoneOffset.UTC);
    }

    private static String thumbprints(List<X509Certificate> certificates) {
        List<String> out = new ArrayList<>();
        certificates.forEach(c -> out.add(GeneratedCertificate.thumbprintOf(c)));
        return out.size() == 1 ? out.get(0) : out.toString();
    }

    @Override
    public String toString() {
        return "application '" + displayName + "' with " + thumbprints(certificates);
    }
}
