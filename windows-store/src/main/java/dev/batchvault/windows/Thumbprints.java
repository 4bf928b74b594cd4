package dev.batchvault.windows;

import dev.batchvault.spi.Thumbprint;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Thumbprints as Windows takes them, and the ones nearest a mistyped thumbprint. */
final class Thumbprints {
    private Thumbprints() {
    }

    /**
     * @param thumbprint a SHA-1 thumbprint
     * @return its 20 bytes, in the order of the hex digits: the {@code CRYPT_HASH_BLOB} for
     *     {@code CERT_FIND_SHA1_HASH}
     */
    static byte[] sha1Bytes(Thumbprint thumbprint) {
        String hex = thumbprint.hex();
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ((Character.digit(hex.charAt(2 * i), 16) << 4) | Character.digit(hex.charAt(2 * i + 1), 16));
        }
        return bytes;
    }

    /**
     * @param wanted the thumbprint asked for
     * @param present the thumbprints in a store
     * @param limit how many to return at most
     * @return the closest by edit distance over the hex digits (a wrong, missing, extra or swapped
     *     digit counts as one or two), as "3B1E... (1 digit differs)", nearest first
     */
    static List<String> closest(Thumbprint wanted, Collection<Thumbprint> present, int limit) {
        return present.stream()
                .filter(t -> !t.equals(wanted))
                .distinct()
                .map(t -> new Object[] {t, distance(wanted.hex(), t.hex())})
                .sorted(Comparator.comparingInt(o -> (Integer) o[1]))
                .limit(limit)
                .map(o -> o[0] + " (" + o[1] + (((Integer) o[1]) == 1 ? " digit differs)" : " digits differ)"))
                .collect(Collectors.toList());
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
