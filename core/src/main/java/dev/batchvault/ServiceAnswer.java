package dev.batchvault;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The plain values worth keeping from a service's answer found in a cause chain. */
final class ServiceAnswer {
    private static final ServiceAnswer NONE = new ServiceAnswer(0, null, null, null);
    private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([\\w.-]{1,100})\"");
    private static final Pattern SAFE = Pattern.compile("[\\w.:-]{1,100}");
    private static final HttpHeaderName ERROR_CODE = HttpHeaderName.fromString("x-ms-error-code");

    final int status;
    final String errorCode;
    final String requestId;
    final String clientRequestId;

    private ServiceAnswer(int status, String errorCode, String requestId, String clientRequestId) {
        this.status = status;
        this.errorCode = errorCode;
        this.requestId = requestId;
        this.clientRequestId = clientRequestId;
    }

    static ServiceAnswer of(Throwable cause) {
        int depth = 0;
        for (Throwable t = cause; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof BatchVaultException) {
                BatchVaultException b = (BatchVaultException) t;
                if (b.httpStatus() != 0) {
                    return new ServiceAnswer(b.httpStatus(), b.serviceErrorCode(), b.requestId(), b.clientRequestId());
                }
            }
            if (t instanceof HttpResponseException && ((HttpResponseException) t).getResponse() != null) {
                HttpResponse response = ((HttpResponseException) t).getResponse();
                String code = safe(response.getHeaderValue(ERROR_CODE));
                if (code == null) {
                    Matcher m = CODE.matcher(String.valueOf(t.getMessage()));
                    code = m.find() ? m.group(1) : null;
                }
                return new ServiceAnswer(response.getStatusCode(), code,
                        safe(response.getHeaderValue(HttpHeaderName.X_MS_REQUEST_ID)),
                        clientRequestId(response));
            }
            if (t instanceof TokenEndpointException && ((TokenEndpointException) t).status() != 0) {
                TokenEndpointException endpoint = (TokenEndpointException) t;
                return new ServiceAnswer(endpoint.status(), endpoint.code() != null ? endpoint.code() : endpoint.error(),
                        endpoint.traceId(), endpoint.correlationId());
            }
            if (t instanceof MsalServiceException) {
                MsalServiceException msal = (MsalServiceException) t;
                return new ServiceAnswer(msal.statusCode() == null ? 0 : msal.statusCode(), safe(msal.errorCode()),
                        safe(msal.correlationId()), null);
            }
        }
        return NONE;
    }

    /** The id the client sent (echoed by the vault, or read from the request). */
    private static String clientRequestId(HttpResponse response) {
        String echoed = safe(response.getHeaderValue(HttpHeaderName.X_MS_CLIENT_REQUEST_ID));
        if (echoed != null || response.getRequest() == null) {
            return echoed;
        }
        return safe(response.getRequest().getHeaders().getValue(HttpHeaderName.X_MS_CLIENT_REQUEST_ID));
    }

    /** Header values echoed by a server are kept only when they look like ids or codes. */
    private static String safe(String value) {
        return value != null && SAFE.matcher(value).matches() ? value : null;
    }
}
