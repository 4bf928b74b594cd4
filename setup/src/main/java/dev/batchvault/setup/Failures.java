package dev.batchvault.setup;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementException;
import java.util.function.Supplier;

/** Turns a failed management call into a {@link SetupException} that names the step, the resource and the fix. */
final class Failures {
    private Failures() {
    }

    static <T> T call(Step step, String resource, String roleNeeded, Supplier<T> call) {
        try {
            return call.get();
        } catch (ManagementException e) {
            String code = e.getValue() == null ? null : e.getValue().getCode();
            String message = e.getValue() == null ? e.getMessage() : e.getValue().getMessage();
            throw translate(step, resource, roleNeeded, e.getResponse().getStatusCode(), code, message, e);
        } catch (HttpResponseException e) {
            throw translate(step, resource, roleNeeded, e.getResponse().getStatusCode(), null, e.getMessage(), e);
        } catch (SetupException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SetupException(step, resource, 0, null, "the management call failed without an answer: " + e
                    + ". Check the network path to the environment's endpoints and the credential.", e);
        }
    }

    static SetupException translate(Step step, String resource, String roleNeeded, int status, String code,
            String message, Throwable cause) {
        String said = status + (code == null ? "" : " " + code) + ": " + message;
        String fix;
        if (status == 403 || "AuthorizationFailed".equals(code) || "Authorization_RequestDenied".equals(code)) {
            fix = "the caller lacks the rights for this step; it needs " + roleNeeded;
        } else if (status == 401) {
            fix = "the caller's token was refused; check the credential, the tenant and the environment's endpoints";
        } else if (status == 429) {
            fix = "the management call was throttled and retries ran out within the deadline; run again later "
                    + "(a rerun picks up where this one stopped)";
        } else if (status == 409) {
            fix = "a name conflict; choose another name or remove the other resource";
        } else if (status == 404) {
            fix = "not found; check the name, resource group and subscription";
        } else if (status >= 500) {
            fix = "the service failed and retries ran out within the deadline; run again later";
        } else {
            fix = "the request was refused";
        }
        return new SetupException(step, resource, status, code, fix + " (" + said + ")", cause);
    }
}
