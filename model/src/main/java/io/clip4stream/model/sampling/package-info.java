/** Which decoded frames CLIP4Clip reads from a video and which of them it keeps, in frame indices only. */
package io.clip4stream.model.sampling;
