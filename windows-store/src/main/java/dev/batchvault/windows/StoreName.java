package dev.batchvault.windows;

import dev.batchvault.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A system certificate store: a location ({@code LocalMachine} or {@code CurrentUser}) and a name ({@code My}). */
final class StoreName {
    /** Where Batch and the Key Vault VM extension put the pool certificate. */
    static final StoreName DEFAULT = new StoreName(Location.LOCAL_MACHINE, "My");

    /** The store locations a task can use, with the {@code CERT_SYSTEM_STORE_*} flag of each. */
    enum Location {
        /** wincrypt.h {@code CERT_SYSTEM_STORE_LOCAL_MACHINE} (2 << 16): the machine's stores. */
        LOCAL_MACHINE("LocalMachine", 0x00020000),
        /** wincrypt.h {@code CERT_SYSTEM_STORE_CURRENT_USER} (1 << 16): the task user's own stores. */
        CURRENT_USER("CurrentUser", 0x00010000);

        final String label;
        final int flag;

        Location(String label, int flag) {
            this.label = label;
            this.flag = flag;
        }
    }

    final Location location;
    final String name;

    StoreName(Location location, String name) {
        this.location = location;
        this.name = name;
    }

    /**
     * Parses the {@code certificate-store} setting: one or more stores separated by {@code ,} or
     * {@code ;}, each {@code LocalMachine\My}, {@code CurrentUser\My} or a bare name such as {@code My}
     * (meaning LocalMachine). {@code /} may stand for {@code \}; case does not matter.
     */
    static List<StoreName> parseAll(String value, String setting) {
        List<StoreName> stores = new ArrayList<>();
        for (String part : value.split("[,;]")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            stores.add(parse(p, setting));
        }
        if (stores.isEmpty()) {
            throw new InvalidConfigurationException(setting, setting + " is empty; expected a store such as "
                    + "LocalMachine\\My or CurrentUser\\My");
        }
        return stores;
    }

    private static StoreName parse(String text, String setting) {
        String[] parts = text.replace('/', '\\').split("\\\\", -1);
        if (parts.length == 1) {
            return new StoreName(Location.LOCAL_MACHINE, checkedName(parts[0], text, setting));
        }
        if (parts.length != 2) {
            throw invalid(text, setting, "it has more than one '\\'");
        }
        String location = parts[0].trim().toLowerCase(Locale.ROOT);
        for (Location l : Location.values()) {
            if (l.label.toLowerCase(Locale.ROOT).equals(location)) {
                return new StoreName(l, checkedName(parts[1], text, setting));
            }
        }
        throw invalid(text, setting, "the location '" + parts[0].trim() + "' is neither LocalMachine nor CurrentUser");
    }

    private static String checkedName(String name, String text, String setting) {
        String n = name.trim();
        if (n.isEmpty()) {
            throw invalid(text, setting, "the store name is empty");
        }
        return n;
    }

    private static InvalidConfigurationException invalid(String text, String setting, String why) {
        return new InvalidConfigurationException(setting, setting + " names '" + text + "', which is not a "
                + "certificate store: " + why + ". Expected LocalMachine\\My, CurrentUser\\My or another store name "
                + "(Batch's storeName), several separated by ','.");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreName && ((StoreName) o).location == location
                && ((StoreName) o).name.equalsIgnoreCase(name);
    }

    @Override
    public int hashCode() {
        return location.hashCode() * 31 + name.toLowerCase(Locale.ROOT).hashCode();
    }

    /** @return {@code LocalMachine\My} */
    @Override
    public String toString() {
        return location.label + "\\" + name;
    }
}
