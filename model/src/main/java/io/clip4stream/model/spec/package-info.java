/**
 * Hyper-parameters of a CLIP4Clip network, derived from a checkpoint's tensor shapes exactly as the original code does,
 * and the checkpoint layout (expected tensor names and shapes) that validates a checkpoint against them.
 */
package io.clip4stream.model.spec;
