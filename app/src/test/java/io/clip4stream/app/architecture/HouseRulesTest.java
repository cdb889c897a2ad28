package io.clip4stream.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering and naming rules of the house, checked on the compiled main classes of every module. */
class HouseRulesTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.clip4stream");
    }

    @Test
    void servicesShouldNotDependOnEachOther() {
        slices().matching("io.clip4stream.(ingest|encoder|index|query|alert)..")
                .should()
                .notDependOnEachOther()
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void modelShouldNotSeeKafkaHttpOrServices() {
        noClasses()
                .that()
                .resideInAPackage("io.clip4stream.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka..",
                        "com.sun.net.httpserver..",
                        "io.clip4stream.runtime..",
                        "io.clip4stream.schemas..",
                        "io.clip4stream.ingest..",
                        "io.clip4stream.encoder..",
                        "io.clip4stream.index..",
                        "io.clip4stream.query..",
                        "io.clip4stream.alert..",
                        "io.clip4stream.app..")
                .check(classes);
    }

    @Test
    void sharedLibrariesShouldOnlyPointDownward() {
        noClasses()
                .that()
                .resideInAPackage("io.clip4stream.schemas..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.clip4stream.runtime..", "io.clip4stream.model..", "io.clip4stream.kafka.embedded..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("io.clip4stream.runtime..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.clip4stream.model..",
                        "io.clip4stream.ingest..",
                        "io.clip4stream.encoder..",
                        "io.clip4stream.index..",
                        "io.clip4stream.query..",
                        "io.clip4stream.app..")
                .check(classes);
    }

    @Test
    void onlyTheLauncherShouldStartAnEmbeddedBroker() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.clip4stream.ingest..",
                        "io.clip4stream.encoder..",
                        "io.clip4stream.index..",
                        "io.clip4stream.query..",
                        "io.clip4stream.runtime..",
                        "io.clip4stream.model..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.clip4stream.kafka.embedded..")
                .check(classes);
    }

    @Test
    void namesShouldSayWhatAThingIs() {
        noClasses()
                .should()
                .haveSimpleNameEndingWith("Utils")
                .orShould()
                .haveSimpleNameEndingWith("Util")
                .orShould()
                .haveSimpleNameEndingWith("Manager")
                .orShould()
                .haveSimpleNameEndingWith("Helper")
                .check(classes);
    }

    @Test
    void onlyMainShouldExitTheJvm() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("io.clip4stream.app.Main")
                .should()
                .callMethod(System.class, "exit", int.class)
                .check(classes);
    }

    @Test
    void convertingOrPullingACheckpointShouldStartNoProcess() {
        // Conversion reads untrusted pickles and must not reach for Python (or anything else) to do it.
        noClasses()
                .that()
                .resideInAPackage("io.clip4stream.model..")
                .or()
                .haveFullyQualifiedName("io.clip4stream.app.cli.ModelCommand$Convert")
                .or()
                .haveFullyQualifiedName("io.clip4stream.app.cli.ModelCommand$Pull")
                .or()
                .haveFullyQualifiedName("io.clip4stream.app.cli.NamedModels")
                .or()
                .resideInAPackage("io.clip4stream.runtime.models..")
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(ProcessBuilder.class, Process.class, ProcessHandle.class)
                .orShould()
                .callMethod(Runtime.class, "exec", String.class)
                .orShould()
                .callMethod(Runtime.class, "exec", String[].class)
                .check(classes);
    }
}
