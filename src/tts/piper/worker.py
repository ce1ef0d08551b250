"""A long-lived Piper worker: loads one voice once, then synthesizes requests from stdin.

Why a process and not a CLI call per request: the Piper CLI reloads the ONNX model on every
run (hundreds of milliseconds); a warm worker answers in the time of the synthesis alone.

Protocol (all integers big-endian):
  in  (stdin):  u32 length, then a UTF-8 JSON object {"id": int, "text": str, "length_scale": float|null}
  out (stdout): u8 type, u32 id, u32 length, payload
      b'R' ready     JSON {"sample_rate", "voice"}       once, after the voice is loaded (id 0)
      b'A' audio     signed 16-bit little-endian mono PCM, one frame per Piper chunk (sentence)
      b'D' done      JSON {"samples"}                    the request is finished
      b'E' error     JSON {"message"}                    the request failed; the worker goes on
The worker exits when stdin closes. Logs go to stderr only.
"""
import json
import os
import struct
import sys
from pathlib import Path

import onnxruntime
from piper import PiperVoice
from piper.config import PiperConfig, SynthesisConfig


def load_voice(model_path: str, threads: int) -> PiperVoice:
    """Like PiperVoice.load, but with a bounded ONNX thread pool: a pool of workers on a
    small machine must not each spawn one thread per core and fight over them."""
    with open(f"{model_path}.json", "r", encoding="utf-8") as f:
        config = PiperConfig.from_dict(json.load(f))
    options = onnxruntime.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    if threads > 1:
        # Idle ONNX threads spin by default; with several workers sharing the cores, spinning
        # threads steal the CPU the other workers need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(config=config, session=session)


def send(out, kind: bytes, req_id: int, payload: bytes) -> None:
    out.write(kind + struct.pack(">II", req_id, len(payload)) + payload)
    out.flush()


def read_exact(stream, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        part = stream.read(n - len(buf))
        if not part:
            return b""
        buf += part
    return buf


def main() -> int:
    model_path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    voice = load_voice(model_path, threads)
    out = sys.stdout.buffer
    inp = sys.stdin.buffer
    name = Path(model_path).name.removesuffix(".onnx")
    # Warm the session: the first inference allocates buffers and is several times slower.
    for _ in voice.synthesize("Ready."):
        pass
    send(out, b"R", 0, json.dumps({"sample_rate": voice.config.sample_rate, "voice": name}).encode())
    while True:
        header = read_exact(inp, 4)
        if not header:
            return 0
        (length,) = struct.unpack(">I", header)
        body = read_exact(inp, length)
        req_id = 0
        try:
            request = json.loads(body)
            req_id = int(request["id"])
            scale = request.get("length_scale")
            syn = SynthesisConfig(length_scale=float(scale) if scale else None)
            samples = 0
            for chunk in voice.synthesize(str(request["text"]), syn_config=syn):
                pcm = chunk.audio_int16_bytes
                samples += len(pcm) // 2
                send(out, b"A", req_id, pcm)
            send(out, b"D", req_id, json.dumps({"samples": samples}).encode())
        except Exception as err:  # one bad request must not kill the warm worker
            print(f"piper worker: request {req_id} failed: {err!r}", file=sys.stderr, flush=True)
            send(out, b"E", req_id, json.dumps({"message": type(err).__name__}).encode())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(0)
