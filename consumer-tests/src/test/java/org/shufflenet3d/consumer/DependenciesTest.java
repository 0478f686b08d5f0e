package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.video.RgbFrame;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoSupport;
import org.shufflenet3d.video.VideoWriter;
import org.shufflenet3d.zoo.ShuffleNetV2;
import org.slf4j.LoggerFactory;

/**
 * What zoo-shufflenet brings into a project: the DL4J and ND4J APIs, not an SLF4J version of its own (this project
 * logs through logback 1.2 and SLF4J 1.7), no backend (this project chose one), and no JavaCV or FFmpeg, whose
 * absence the video classes name.
 */
class DependenciesTest {

    @TempDir
    Path dir;

    @Test
    void dl4jsListenersLogThroughTheProjectsLogback() {
        assertInstanceOf(LoggerContext.class, LoggerFactory.getILoggerFactory());
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.slf4j.spi.SLF4JServiceProvider"),
                "SLF4J 2's API is on the classpath");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ScoreIterationListener.class);
        logger.addAppender(appender);
        try {
            ComputationGraph graph = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(2)
                    .inputShape(new int[] {3, 2, 12, 12}).build().init();
            graph.setListeners(new ScoreIterationListener(1));
            graph.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 2, 12, 12), Nd4j.eye(2).castTo(DataType.FLOAT)));
        } finally {
            logger.detachAppender(appender);
        }
        List<String> messages = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("Score at iteration 0 is ")), messages.toString());
    }

    @Test
    void noVideoLibrariesComeWithTheLibrary() {
        assertFalse(VideoSupport.isAvailable());
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.bytedeco.javacv.FFmpegFrameGrabber"));
        assertNull(getClass().getClassLoader().getResource("org/bytedeco/ffmpeg/linux-x86_64/"), "FFmpeg's natives");
        assertEquals("CpuBackend", Nd4j.getBackend().getClass().getSimpleName(), "the backend this project chose");
    }

    @Test
    void videoCodeNamesTheDependenciesToAdd() {
        for (Executable video : List.<Executable>of(
                () -> new VideoClips(ClipShape.DEFAULT, VideoClips.Preprocessing.DEFAULT),
                () -> VideoIndex.classFolders(dir, null),
                () -> VideoWriter.write(dir.resolve("clip.mp4"), List.of(new RgbFrame(2, 2, new byte[12])), 25),
                () -> MovingShapeVideos.write(dir, new MovingShapeVideos.Settings(1, 4, 32, 32, 25, "mp4", 1)))) {
            NoClassDefFoundError e = assertThrows(NoClassDefFoundError.class, video);
            assertEquals("video decoding and encoding need JavaCV and FFmpeg, optional dependencies of zoo-shufflenet"
                    + " that are not on the classpath (org.bytedeco.javacv.FFmpegFrameGrabber is missing): add"
                    + " org.bytedeco:javacv:1.5.7 and org.bytedeco:ffmpeg-platform:5.0-1.5.7 to your project (docs/dl4j.md,"
                    + " \"Dependencies\")", e.getMessage());
        }
    }
}
