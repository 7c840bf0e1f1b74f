package dev.reshard.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * Runs the annotated test once per {@linkplain TestEngine#selected() selected engine}, passing the
 * {@link TestEngine} as the first argument:
 *
 * <pre>{@code
 * @EachEngine
 * void upsert_replacesRow(TestEngine engine) {
 *     try (TestDatabase db = engine.newDatabase()) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ParameterizedTest(name = "{0}")
@ArgumentsSource(EachEngineArguments.class)
public @interface EachEngine {}
