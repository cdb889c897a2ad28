/**
 * Reading checkpoints in the formats CLIP and CLIP4Clip are published in (PyTorch zip checkpoints, TorchScript
 * archives, safetensors in OpenAI or Hugging Face naming) without Python, and converting them into model directories.
 */
package io.clip4stream.model.convert;
