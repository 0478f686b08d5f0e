package org.shufflenet3d.video;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;

/**
 * Whether video files can be decoded and written here. Video runs on FFmpeg through JavaCV, which are optional
 * dependencies of {@code zoo-shufflenet}: networks, checkpoints, training and inference from arrays run without
 * them. The video classes call {@link #require()} before they load anything of JavaCV's, so a project that
 * leaves them out gets a {@link NoClassDefFoundError} that names the dependencies to add rather than one that names
 * a class of JavaCV's. (An error, not an exception, because it also has to leave static initialisers unwrapped.)
 */
public final class VideoSupport {

    private static final List<String> REQUIRED_CLASSES = List.of("org.bytedeco.javacv.FFmpegFrameGrabber",
            "org.bytedeco.ffmpeg.global.avutil");
    private static final Properties COORDINATES = coordinates();

    private VideoSupport() {
    }

    /** Whether JavaCV and FFmpeg's Java classes are on the classpath. */
    public static boolean isAvailable() {
        return missingClass() == null;
    }

    /** Throws a {@link NoClassDefFoundError} naming the dependencies to add when {@link #isAvailable()} is false. */
    public static void require() {
        String missing = missingClass();
        if (missing != null) {
            throw new NoClassDefFoundError("video decoding and encoding need JavaCV and FFmpeg, optional dependencies"
                    + " of zoo-shufflenet that are not on the classpath (" + missing + " is missing): add "
                    + COORDINATES.getProperty("javacv") + " and " + COORDINATES.getProperty("ffmpeg")
                    + " to your project (docs/dl4j.md, \"Dependencies\")");
        }
    }

    /** The error for FFmpeg's Java classes present without its native libraries for this platform. */
    static UnsatisfiedLinkError missingNatives(Throwable cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("FFmpeg's native libraries for " + Loader.getPlatform()
                + " cannot be loaded (" + cause + "): add " + COORDINATES.getProperty("ffmpeg")
                + " (with -Djavacpp.platform=" + Loader.getPlatform() + " to fetch only this platform's), or "
                + COORDINATES.getProperty("ffmpeg.natives") + " with classifier " + Loader.getPlatform());
        error.initCause(cause);
        return error;
    }

    private static String missingClass() {
        for (String name : REQUIRED_CLASSES) {
            try {
                Class.forName(name, false, VideoSupport.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return name;
            }
        }
        return null;
    }

    private static Properties coordinates() {
        Properties properties = new Properties();
        try (InputStream in = VideoSupport.class.getResourceAsStream("video-dependencies.properties")) {
            if (in == null) {
                throw new IllegalStateException("video-dependencies.properties is missing from zoo-shufflenet's jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
