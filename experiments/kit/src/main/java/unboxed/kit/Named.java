package unboxed.kit;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A choice an experiment offers by name (an attack, an objective, a regulariser): an enum whose
 * constants carry the id that point ids and results files use, and a label for figures. {@link
 * #byId} finds a constant by its id, and names the choices when there is none.
 */
public interface Named {
    /** The id in point ids and results files. */
    String id();

    /** The words for a figure or a table. */
    String label();

    /** The constant of {@code type} whose id is {@code id}; an unknown id is an error that lists the known ones. */
    static <E extends Enum<E> & Named> E byId(Class<E> type, String id) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT) + " '" + id
                + "': expected one of " + Arrays.stream(type.getEnumConstants()).map(Named::id)
                .collect(Collectors.joining(", ")));
    }
}
