package io.ringbus.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of bus-examples (issue 12, point 3), checked on its compiled classes (tests
 * excluded: they may drive the CLI from any package):
 *
 * <pre>
 *                         cli                  the bus command: wires up everything below
 *        ┌──────────┬──────┴─────┬─────────┐
 *    samples       demo        bench.*      jmh
 *        └──────────┴──────┬─────┴─────────┘
 *                       support              exit codes, converters, command-line conventions
 * </pre>
 *
 * <p>No package is in a cycle with another (subpackages included: {@code bench.ring} and
 * {@code bench.report} are packages of their own); nothing but {@code cli} imports {@code cli};
 * {@code support} imports none of its siblings; the benchmarks {@code bench.ring}, {@code bench.wakeup}
 * and {@code bench.transport} import none of each other; the samples use only the public API of
 * ringbus (the codec views among it), the JDK, the libraries a user of it would have (Chronicle Bytes too), the
 * SBE codecs generated from the samples' schema ({@code sbe}), and {@code support}.
 */
class PackageDependenciesTest {
    private static final String EXAMPLES = "io.ringbus.examples";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(EXAMPLES);
    }

    @Test
    void noPackageIsInACycle() {
        slices().matching("io.ringbus.(**)").namingSlices("$1")
            .should().beFreeOfCycles()
            .check(classes);
    }

    @Test
    void onlyCliImportsCli() {
        noClasses().that().resideOutsideOfPackage(EXAMPLES + ".cli..")
            .should().dependOnClassesThat().resideInAPackage(EXAMPLES + ".cli..")
            .because("cli is the top of bus-examples: it wires the other packages up, and none of them needs it")
            .check(classes);
    }

    @Test
    void supportImportsNoSibling() {
        noClasses().that().resideInAPackage(EXAMPLES + ".support..")
            .should().dependOnClassesThat().resideInAnyPackage(EXAMPLES, EXAMPLES + ".cli..", EXAMPLES + ".bench..",
                EXAMPLES + ".demo..", EXAMPLES + ".jmh..")
            .because("support is what every package shares, so it may depend on none of them")
            .check(classes);
    }

    @Test
    void eachBenchmarkStandsAlone() {
        List<String> benchmarks = List.of("ring", "wakeup", "transport");
        for (String benchmark : benchmarks) {
            String[] others = benchmarks.stream().filter(other -> !other.equals(benchmark))
                .map(other -> EXAMPLES + ".bench." + other + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage(EXAMPLES + ".bench." + benchmark + "..")
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .because("each benchmark is grouped by what it measures; what they share sits in bench.child,"
                    + " bench.floor, bench.report or support")
                .check(classes);
        }
    }

    @Test
    void samplesUseOnlyThePublicApi() {
        classes().that().resideInAPackage(EXAMPLES)
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                "io.ringbus.core", "io.ringbus.core.ring", "io.ringbus.transport", "io.ringbus.transport.codec",
                EXAMPLES, EXAMPLES + ".support", EXAMPLES + ".sbe",
                "java..", "org.agrona..", "org.HdrHistogram..", "picocli..", "net.openhft.chronicle.bytes..")
            .because("the samples are plain mains a user copies: the public API, as Aeron's samples are")
            .check(classes);
    }
}
