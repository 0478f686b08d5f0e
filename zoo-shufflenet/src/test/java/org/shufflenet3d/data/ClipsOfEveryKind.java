package org.shufflenet3d.data;

import java.nio.file.Path;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.TrainingCrop;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;

/**
 * Cuts every kind of clip of 8x24x24 from the class-folder datasets named in its arguments (each clip dropped as
 * soon as it is cut) and prints how many test clips each has: what {@link BoundedMemoryTest} runs in a small heap.
 */
public final class ClipsOfEveryKind {

    private ClipsOfEveryKind() {
    }

    public static void main(String[] args) {
        VideoClips clips = new VideoClips(new ClipShape(8, 24, 24), new VideoClips.Preprocessing(
                VideoReader.asStored(), 1, TrainingCrop.CORNER, true, ClipNormalization.DEFAULT));
        for (String root : args) {
            VideoIndex index = VideoIndex.classFolders(Path.of(root), null);
            VideoDataset every = VideoDataset.allClips(index, clips);
            for (int i = 0; i < every.size(); i++) {
                every.clip(i);
            }
            VideoDataset perVideo = VideoDataset.perVideo(index, clips);
            for (int i = 0; i < perVideo.size(); i++) {
                perVideo.clip(i);
                perVideo.trainingClip(i, i);
            }
            int streamed = clips.forEachTestClip(index.videos().get(0).path(), clip -> { });
            System.out.println(root + ": " + every.size() + " test clips, " + streamed + " streamed");
        }
    }
}
