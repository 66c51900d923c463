package unboxed.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamedTest {
    enum Fruit implements Named {
        APPLE("apple", "an apple"), PEAR("pear", "a pear");

        private final String id;
        private final String label;

        Fruit(String id, String label) {
            this.id = id;
            this.label = label;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String label() {
            return label;
        }
    }

    @Test
    void findsByIdAndListsTheChoicesWhenItCannot() {
        assertEquals(Fruit.PEAR, Named.byId(Fruit.class, "pear"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Named.byId(Fruit.class, "plum"));
        assertTrue(e.getMessage().contains("'plum'") && e.getMessage().contains("apple, pear"), e.getMessage());
    }
}
