package io.clip4stream.runtime.models;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The models {@code model pull NAME} knows: published CLIP and CLIP4Clip checkpoints with their source, pinned
 * revision or digest, licence and heads.
 *
 * <p>Digests are pinned where the publisher states them: OpenAI's URLs carry the file's SHA-256 (openai/CLIP's
 * {@code clip.py} checks it the same way), OpenMMLab's file names carry its first 8 hex digits. Hugging Face files are
 * checked against the SHA-256 the Hub reports for the LFS object of the pinned revision ({@code X-Linked-Etag}); the
 * value found is recorded in the model's provenance file.
 */
public final class ModelRegistry {

    /** Where Hugging Face downloads come from unless {@code HF_ENDPOINT} says otherwise. */
    public static final URI HUGGING_FACE = URI.create("https://huggingface.co");

    private static final Map<String, String> CLIP_ZERO_SHOT =
            Map.of("sim_header", "meanP", "max_frames", "12", "max_words", "32");

    private final Map<String, ModelSource> sources;

    /** Creates a registry of {@code sources}, keyed by their names. */
    public ModelRegistry(List<ModelSource> sources) {
        Map<String, ModelSource> byName = new LinkedHashMap<>();
        for (ModelSource source : sources) {
            if (byName.put(source.name().toLowerCase(Locale.ROOT), source) != null) {
                throw new IllegalArgumentException("model " + source.name() + " is registered twice");
            }
        }
        this.sources = byName;
    }

    /** The built-in registry, with Hugging Face files from {@code huggingFaceEndpoint}. */
    public static ModelRegistry builtIn(URI huggingFaceEndpoint) {
        Objects.requireNonNull(huggingFaceEndpoint, "huggingFaceEndpoint");
        List<ModelSource> sources = new ArrayList<>();
        sources.add(openAi(
                "openai/ViT-B-32",
                "ViT-B-32.pt",
                "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af",
                "OpenAI CLIP ViT-B/32, zero-shot (meanP over frames)"));
        sources.add(openAi(
                "openai/ViT-B-16",
                "ViT-B-16.pt",
                "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f",
                "OpenAI CLIP ViT-B/16, zero-shot (meanP over frames)"));
        String mmaction = "clip4clip_vit-base-p32-res224-clip-pre_8xb16-u12-5e_msrvtt-9k-rgb";
        Map<String, String> mmactionConversion = new LinkedHashMap<>();
        mmactionConversion.put("sim_header", "meanP");
        mmactionConversion.put("max_frames", "12");
        mmactionConversion.put("max_words", "77");
        mmactionConversion.put("resize", "short_side");
        mmactionConversion.put("resize_size", "256");
        mmactionConversion.put("interpolation", "bilinear");
        mmactionConversion.put("crop_size", "224");
        sources.add(new ModelSource(
                "mmaction2/clip4clip-vit-b32-msrvtt",
                "20230612-b9706e54",
                "CLIP4Clip ViT-B/32 meanP trained on MSR-VTT 9k by MMAction2",
                List.of(new ModelFile(
                        mmaction + "_20230612-b9706e54.pth",
                        URI.create("https://download.openmmlab.com/mmaction/v1.0/retrieval/clip4clip/" + mmaction + "/"
                                + mmaction + "_20230612-b9706e54.pth"),
                        Optional.of(new ExpectedSha256(
                                "b9706e54", "the first 8 hex digits in OpenMMLab's file name (publish_model.py)")))),
                mmaction + "_20230612-b9706e54.pth",
                "Apache-2.0 (MMAction2; CLIP weights by OpenAI, MIT)",
                "https://github.com/open-mmlab/mmaction2/blob/main/LICENSE",
                List.of("meanP"),
                mmactionConversion,
                Optional.of("MMAction2 reports R@1 43.1, R@5 69.4, R@10 78.9 (MSR-VTT, JSFusion 1k test); its pipeline"
                        + " resizes the short side to 256 and centre-crops 224, recorded in config.json")));
        sources.add(huggingFace(
                huggingFaceEndpoint,
                "searchium/clip4clip-webvid150k",
                "Searchium-ai/clip4clip-webvid150k",
                "3a366649eef93eaee3aec6ec322c080a83bddfcb",
                List.of("pytorch_model.bin", "vocab.json", "merges.txt", "config.json"),
                "CLIP4Clip ViT-B/32 meanP trained on 150k WebVid clips (Hugging Face CLIPModel naming)",
                "not stated on the model card (CLIP weights by OpenAI, MIT)",
                "https://huggingface.co/Searchium-ai/clip4clip-webvid150k",
                List.of("meanP"),
                CLIP_ZERO_SHOT,
                "revision taken from the model card's history; the files' SHA-256 come from the Hub (X-Linked-Etag)"
                        + " at download and are recorded in provenance.json"));
        sources.add(huggingFace(
                huggingFaceEndpoint,
                "timm/vit-b32-clip-openai",
                "timm/vit_base_patch32_clip_224.openai",
                "main",
                List.of("open_clip_model.safetensors"),
                "OpenAI CLIP ViT-B/32 as OpenCLIP safetensors (OpenAI naming), zero-shot",
                "apache-2.0 per the timm model card (CLIP weights by OpenAI, MIT)",
                "https://huggingface.co/timm/vit_base_patch32_clip_224.openai",
                List.of(),
                CLIP_ZERO_SHOT,
                "not pinned to a commit: 'main' is resolved at download, and the commit and the Hub's SHA-256 are"
                        + " recorded in provenance.json"));
        return new ModelRegistry(sources);
    }

    private static ModelSource openAi(String name, String fileName, String sha256, String description) {
        return new ModelSource(
                name,
                sha256.substring(0, 8),
                description,
                List.of(new ModelFile(
                        fileName,
                        URI.create("https://openaipublic.azureedge.net/clip/models/" + sha256 + "/" + fileName),
                        Optional.of(new ExpectedSha256(sha256, "in OpenAI's download URL (checked as clip.py does)")))),
                fileName,
                "MIT",
                "https://github.com/openai/CLIP/blob/main/LICENSE",
                List.of(),
                CLIP_ZERO_SHOT,
                Optional.of("zero-shot CLIP: meanP only (no CLIP4Clip head was trained)"));
    }

    /** A model whose files come from a Hugging Face repository at a revision. */
    static ModelSource huggingFace(
            URI endpoint,
            String name,
            String repository,
            String revision,
            List<String> fileNames,
            String description,
            String licence,
            String licenceUrl,
            List<String> trainedHeads,
            Map<String, String> conversion,
            String note) {
        List<ModelFile> files = new ArrayList<>();
        for (String fileName : fileNames) {
            files.add(new ModelFile(
                    fileName, huggingFaceFile(endpoint, repository, revision, fileName), Optional.empty()));
        }
        return new ModelSource(
                name,
                revision,
                description,
                files,
                fileNames.getFirst(),
                licence,
                licenceUrl,
                trainedHeads,
                conversion,
                Optional.of(note));
    }

    /** The {@code resolve} URL of a file in a Hugging Face repository. */
    public static URI huggingFaceFile(URI endpoint, String repository, String revision, String fileName) {
        String base = endpoint.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + repository + "/resolve/" + revision + "/" + fileName);
    }

    /** Returns the registered model called {@code name} (case-insensitive). */
    public Optional<ModelSource> find(String name) {
        return Optional.ofNullable(sources.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Returns every registered model in registration order. */
    public List<ModelSource> sources() {
        return List.copyOf(sources.values());
    }

    /**
     * A model pulled straight from a URL: its cache name is {@code url/HOST/FILE} and its revision the given digest's
     * first 12 digits (or {@code unpinned}).
     */
    public static ModelSource forUrl(URI url, Optional<ExpectedSha256> sha256) {
        String path = url.getPath() == null ? "" : url.getPath();
        String fileName = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        if (fileName.isEmpty() || fileName.startsWith(".")) {
            throw new IllegalArgumentException("cannot take a file name from " + url);
        }
        String host = (url.getHost() == null ? "host" : url.getHost()).replaceAll("[^A-Za-z0-9.-]", "_");
        String revision = sha256.map(
                        d -> d.hex().substring(0, Math.min(12, d.hex().length())))
                .orElse("unpinned");
        return new ModelSource(
                "url/" + host + "/" + fileName,
                revision,
                "pulled from " + url,
                List.of(new ModelFile(fileName, url, sha256)),
                fileName,
                "unknown (pulled by URL)",
                url.toString(),
                List.of(),
                Map.of(),
                Optional.empty());
    }
}
