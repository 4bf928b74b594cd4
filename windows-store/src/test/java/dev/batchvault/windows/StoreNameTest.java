package dev.batchvault.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchvault.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

class StoreNameTest {
    @Test
    void locationsNamesAndLists() {
        assertThat(StoreName.parseAll("LocalMachine\\My", "s")).containsExactly(StoreName.DEFAULT);
        assertThat(StoreName.parseAll(" my ", "s")).containsExactly(StoreName.DEFAULT);
        assertThat(StoreName.parseAll("CURRENTUSER/My; LocalMachine\\WebHosting,", "s"))
                .extracting(Object::toString).containsExactly("CurrentUser\\My", "LocalMachine\\WebHosting");
        assertThat(StoreName.parseAll("CurrentUser\\My", "s").get(0).location.flag).isEqualTo(0x10000);
    }

    @Test
    void whatIsNotAStore() {
        assertThatThrownBy(() -> StoreName.parseAll(" , ", "certificate-store"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("certificate-store is empty; expected a store such as LocalMachine\\My or CurrentUser\\My");
        assertThatThrownBy(() -> StoreName.parseAll("LocalMachine\\My\\Extra", "certificate-store"))
                .hasMessageContaining("it has more than one '\\'");
        assertThatThrownBy(() -> StoreName.parseAll("LocalMachine\\", "certificate-store"))
                .hasMessageContaining("the store name is empty");
    }
}
