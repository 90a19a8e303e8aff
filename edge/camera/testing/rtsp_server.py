#!/usr/bin/python3
# A real RTSP server for camera tests (GStreamer's gst-rtsp-server through python3-gi,
# Debian packages gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-{base,good,bad}).
# Serves an H.264 .mp4 file without re-encoding at rtsp://127.0.0.1:PORT/cam.
# Usage: rtsp_server.py PORT FILE.mp4   (prints READY when listening)
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port, path = sys.argv[1], sys.argv[2]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f'( filesrc location="{path}" ! qtdemux ! h264parse ! identity sync=true ! rtph264pay name=pay0 pt=96 config-interval=1 )'
)
factory.set_shared(True)
server.get_mount_points().add_factory("/cam", factory)
if server.attach(None) == 0:
    print("FAILED to listen", flush=True)
    sys.exit(1)
print("READY", flush=True)
GLib.MainLoop().run()
