package dev.reshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reshard.core.InvalidInputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifierTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "users\"; DROP TABLE users; --",
                "users`; DROP TABLE users; --",
                "users'",
                "user accounts",
                "users;",
                "users--",
                "users/*x*/",
                "users OR 1=1",
                "DROP TABLE users",
                "select * from users",
                "1users",
                "",
                " users",
                "users\n",
                "us\u00e9rs",
                "users\u200b",
                "a.b.c",
                ".users",
                "users.",
                "app..users"
            })
    void parse_refusesAnythingButLettersDigitsAndUnderscores(String text) {
        assertThatThrownBy(() -> Identifier.parse("tables[0].name", text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("tables[0].name: \"" + text + "\" is not a valid SQL name; use letters, digits and '_'"
                        + " only, starting with a letter or '_', at most 63 characters per part, e.g. users or"
                        + " app.users")
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("tables[0].name"));
    }

    @Test
    void parse_refusesNamesLongerThan63Characters() {
        assertThat(Identifier.parse("t", "a".repeat(63)).name()).hasSize(63);
        assertThatThrownBy(() -> Identifier.parse("t", "a".repeat(64))).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void parse_refusesNull() {
        assertThatThrownBy(() -> Identifier.parse("tables[1].name", null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("tables[1].name: \"\" is missing; ");
    }

    @Test
    void parse_splitsASchemaQualifiedName() {
        Identifier name = Identifier.parse("t", "app.Users_2");

        assertThat(name.schema()).isEqualTo(Optional.of("app"));
        assertThat(name.name()).isEqualTo("Users_2");
        assertThat(name).hasToString("app.Users_2").isEqualTo(Identifier.parse("x", "app.Users_2"));
    }

    @Test
    void simple_refusesAQualifiedName() {
        assertThatThrownBy(() -> Identifier.simple("shardKey", "a.b")).isInstanceOf(InvalidInputException.class);
        assertThat(Identifier.simple("shardKey", "_tenant").schema()).isEmpty();
    }

    @Test
    void quote_wrapsKeywordsPerEngine_andRefusesInvalidNames() {
        assertThat(Dialect.of(Engine.POSTGRESQL).quote("select")).isEqualTo("\"select\"");
        assertThat(Dialect.of(Engine.H2).quote("ORDER")).isEqualTo("\"ORDER\"");
        assertThat(Dialect.of(Engine.MARIADB).quote("select")).isEqualTo("`select`");
        assertThat(Dialect.of(Engine.MARIADB).quote(Identifier.parse("t", "app.users")))
                .isEqualTo("`app`.`users`");
        for (Engine engine : Engine.values()) {
            assertThatThrownBy(() -> Dialect.of(engine).quote("x\"; DROP TABLE users"))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> Dialect.of(engine).quote("x`")).isInstanceOf(InvalidInputException.class);
        }
    }
}
