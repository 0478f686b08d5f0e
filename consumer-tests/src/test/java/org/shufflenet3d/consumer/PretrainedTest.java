package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.zoo.PretrainedType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shufflenet3d.zoo.ReferenceCheckpoint;
import org.shufflenet3d.zoo.ShuffleNetV1;
import org.shufflenet3d.zoo.ShuffleNetV2;

/** initPretrained() and pretrainedAvailable as a DL4J user calls them: what they load, and when they cannot. */
class PretrainedTest {

    @TempDir
    Path dir;

    @BeforeEach
    void useTemporaryResourceDirectory() throws IOException {
        DL4JResources.setBaseDirectory(Files.createDirectories(dir.resolve("dl4j")).toFile());
    }

    @AfterEach
    void restoreResourceDirectory() {
        DL4JResources.resetBaseDirectoryLocation();
    }

    @Test
    void eachNetworkKnowsItsKineticsCheckpoint() {
        assertEquals(Optional.of(ReferenceCheckpoint.KINETICS_SHUFFLENETV2_1_0X),
                ShuffleNetV2.builder().numClasses(101).build().kineticsCheckpoint());
        assertEquals(Optional.of(ReferenceCheckpoint.KINETICS_SHUFFLENET_0_5X_G3),
                ShuffleNetV1.builder().widthMultiplier(0.5).build().kineticsCheckpoint());
        assertEquals(Optional.empty(), ShuffleNetV1.builder().groups(1).build().kineticsCheckpoint());
        assertEquals(Optional.empty(), ShuffleNetV2.builder().widthMultiplier(0.5).build().kineticsCheckpoint());
    }

    @Test
    void pretrainedAvailableTellsWhetherInitPretrainedCanLoad() throws IOException {
        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).build();
        assertFalse(zoo.pretrainedAvailable(PretrainedType.IMAGENET), "no file yet");
        Path file = dir.resolve("dl4j/models/shufflenetv2-3d/kinetics_shufflenetv2_0.25x_RGB_16_best.pth");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1});
        assertTrue(zoo.pretrainedAvailable(PretrainedType.IMAGENET));
        assertFalse(zoo.pretrainedAvailable(PretrainedType.MNIST));
        assertFalse(ShuffleNetV2.builder().widthMultiplier(0.5).build().pretrainedAvailable(PretrainedType.IMAGENET));

        ShuffleNetV1 fetched = ShuffleNetV1.builder().pretrainedBaseUrl("https://example.org/checkpoints/").build();
        assertTrue(fetched.pretrainedAvailable(PretrainedType.IMAGENET), "a base URL to fetch from");
        assertEquals("https://example.org/checkpoints/kinetics_shufflenet_1.0x_G3_RGB_16_best.pth",
                fetched.pretrainedUrl(PretrainedType.IMAGENET));
        assertNull(zoo.pretrainedUrl(PretrainedType.IMAGENET));
    }

    @Test
    void aMissingCheckpointSaysWhichFileToPutWhere() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> ShuffleNetV1.builder().widthMultiplier(1.5).build().initPretrained());
        Path expected = dir.resolve("dl4j/models/shufflenet-3d/kinetics_shufflenet_1.5x_G3_RGB_16_best.pth");
        assertEquals(expected.toString(), e.getFile());
        assertTrue(e.getMessage().contains("download it from the reference's pretrained models ("
                + ReferenceCheckpoint.PUBLISHED_AT) && e.getMessage().contains("put it at " + expected), e.getMessage());
    }

    @Test
    void whatThereIsNoCheckpointForIsRefusedByName() {
        UnsupportedOperationException type = assertThrows(UnsupportedOperationException.class,
                () -> ShuffleNetV2.builder().build().initPretrained(PretrainedType.CIFAR10));
        assertTrue(type.getMessage().startsWith("there are no CIFAR10 weights for shufflenetv2-3d: the reference"
                + " published Kinetics-600 checkpoints, loaded by initPretrained()"), type.getMessage());
        UnsupportedOperationException width = assertThrows(UnsupportedOperationException.class,
                () -> ShuffleNetV2.builder().widthMultiplier(0.5).build().initPretrained());
        assertEquals("the reference published no Kinetics-600 checkpoint for shufflenetv2 0.5x; it did for 0.25x,"
                + " 1.0x, 1.5x, 2.0x", width.getMessage());
        UnsupportedOperationException groups = assertThrows(UnsupportedOperationException.class,
                () -> ShuffleNetV1.builder().groups(2).build().initPretrained());
        assertEquals("the reference published no Kinetics-600 checkpoint for shufflenet 1.0x g=2; it did for 0.5x g=3,"
                + " 1.0x g=3, 1.5x g=3, 2.0x g=3", groups.getMessage());
    }
}
