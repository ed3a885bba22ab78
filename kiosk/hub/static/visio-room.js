/* One side of a visio call in a Janus VideoRoom made for this call only: publish the camera and
   microphone with a data channel, subscribe to the other side, carry real-time text both ways.
   Used by the citizen's call page and the advisor's console. Needs janus.js (Debian's
   libjs-janus-gateway), served by the hub as /visio/janus.js. */
(function () {
  "use strict";

  var initialised = null;

  function init() {
    if (!initialised) {
      initialised = new Promise(function (resolve) {
        Janus.init({
          debug: window.VISIO_DEBUG ? "all" : false,
          // janus.js only asks the adapter which browser it runs in
          dependencies: Janus.useDefaultDependencies({adapter: {browserDetails: {browser: "chrome", version: 120}}}),
          callback: resolve
        });
      });
    }
    return initialised;
  }

  /* options: server, room, pin, display, localVideo, remoteVideo (elements), onText(text),
     onRemoteMedia(), onOtherLeft(), onError(code). Returns a promise of {sendText, leave, stats}. */
  function join(options) {
    var janus = null, publisher = null, subscriber = null, remoteStream = new MediaStream();
    var subscribedTo = null, left = false, sendSeq = 0, lastSeen = -1;

    function fail(code) {
      if (!left && options.onError) options.onError(code);
    }

    function subscribe(feedId) {
      if (subscribedTo === feedId) return;
      subscribedTo = feedId;
      janus.attach({
        plugin: "janus.plugin.videoroom",
        success: function (handle) {
          subscriber = handle;
          handle.send({message: {request: "join", ptype: "subscriber", room: options.room, pin: options.pin,
                                 streams: [{feed: feedId}]}});
        },
        error: function () { fail("subscribe"); },
        onmessage: function (msg, jsep) {
          if (jsep) {
            subscriber.createAnswer({
              jsep: jsep,
              // our own data channel must be open for Janus to relay the other side's text to us
              tracks: [{type: "data"}],
              success: function (answer) {
                subscriber.send({message: {request: "start", room: options.room}, jsep: answer});
              },
              error: function () { fail("answer"); }
            });
          }
        },
        onremotetrack: function (track, mid, on) {
          remoteStream.getTracks().forEach(function (t) {
            if (t.kind === track.kind && (!on || t.id !== track.id)) remoteStream.removeTrack(t);
          });
          if (on) remoteStream.addTrack(track);
          if (options.remoteVideo) {
            options.remoteVideo.srcObject = remoteStream;
            var played = options.remoteVideo.play();
            if (played && played.catch) played.catch(function () {});
          }
          if (on && options.onRemoteMedia) options.onRemoteMedia(track.kind);
        },
        ondata: function (data) {
          var message;
          try { message = JSON.parse(data); } catch (e) { return; }
          if (message.t === "rtt" && typeof message.text === "string" && message.seq > lastSeen) {
            lastSeen = message.seq;
            logText(textLog.received, message.text);
            if (options.onText) options.onText(message.text.slice(0, 2000));
          }
        }
      });
    }

    function publishersIn(msg) {
      (msg.publishers || []).forEach(function (p) { subscribe(p.id); });
    }

    // -- the call's handle, given to the page ---------------------------------------------------
    var api;
    var resend = null;
    function sendNow(text) {
      sendSeq += 1;
      publisher.data({text: JSON.stringify({t: "rtt", seq: sendSeq, text: text.slice(0, 2000)}),
                      error: function () {}});
    }
    // when each text was typed and received (page memory only, last entries): the tests and the
    // benchmark measure real-time text delays from it
    var textLog = {sent: [], received: []};
    function logText(list, text) {
      list.push([text, Date.now()]);
      if (list.length > 200) list.shift();
    }
    function sendText(text) {
      if (!publisher) return;
      logText(textLog.sent, text);
      sendNow(text);
      // the whole text again a moment later: a message lost on the way is repaired at once
      clearTimeout(resend);
      resend = setTimeout(function () { sendNow(text); }, 250);
    }
    function leave() {
      left = true;
      if (janus) janus.destroy({cleanupHandles: true});
    }
    function stats() {
      var pcs = [];
      if (subscriber && subscriber.webrtcStuff.pc) pcs.push(["in", subscriber.webrtcStuff.pc]);
      if (publisher && publisher.webrtcStuff.pc) pcs.push(["out", publisher.webrtcStuff.pc]);
      return Promise.all(pcs.map(function (pair) { return pair[1].getStats(); })).then(function (reports) {
        var result = {framesDecoded: 0, frameWidth: 0, frameHeight: 0, framesPerSecond: 0, audioBytes: 0,
                      videoBytes: 0, candidates: []};
        reports.forEach(function (report) {
          report.forEach(function (s) {
            if (s.type === "inbound-rtp" && s.kind === "video") {
              result.framesDecoded = s.framesDecoded || 0;
              result.frameWidth = s.frameWidth || 0;
              result.frameHeight = s.frameHeight || 0;
              result.framesPerSecond = s.framesPerSecond || 0;
              result.videoBytes = s.bytesReceived || 0;
            }
            if (s.type === "inbound-rtp" && s.kind === "audio") result.audioBytes = s.bytesReceived || 0;
            if (s.type === "local-candidate" || s.type === "remote-candidate") {
              result.candidates.push(s.address || s.ip || "");
            }
          });
        });
        return result;
      });
    }
    api = {sendText: sendText, leave: leave, stats: stats, textLog: textLog};

    return init().then(function () {
      return new Promise(function (resolve, reject) {
        janus = new Janus({
          server: options.server,
          iceServers: options.iceServers || [],  // no STUN: Janus and the browsers share a network
          success: function () {
            janus.attach({
              plugin: "janus.plugin.videoroom",
              success: function (handle) {
                publisher = handle;
                handle.send({message: {request: "join", ptype: "publisher", room: options.room, pin: options.pin,
                                       display: options.display}});
              },
              error: function () { reject("attach"); },
              onlocaltrack: function (track, on) {
                if (options.localVideo && track.kind === "video" && on) {
                  options.localVideo.srcObject = new MediaStream([track]);
                  var played = options.localVideo.play();
                  if (played && played.catch) played.catch(function () {});
                }
              },
              onmessage: function (msg, jsep) {
                if (msg.videoroom === "joined") {
                  publisher.createOffer({
                    tracks: [
                      {type: "audio", capture: true, recv: false},
                      {type: "video", capture: {width: {ideal: 640}, height: {ideal: 480}, frameRate: {ideal: 30}},
                       recv: false},
                      {type: "data"}
                    ],
                    success: function (offer) {
                      publisher.send({message: {request: "configure", audio: true, video: true, data: true},
                                      jsep: offer});
                    },
                    error: function (e) { reject(e && e.name === "NotFoundError" ? "no-camera" : "media"); }
                  });
                  publishersIn(msg);
                  resolve(api);
                } else if (msg.videoroom === "event") {
                  if (msg.error_code) { reject("room"); fail("room"); return; }
                  publishersIn(msg);
                  if ((msg.unpublished && msg.unpublished === subscribedTo) ||
                      (msg.leaving && msg.leaving === subscribedTo)) {
                    if (options.onOtherLeft) options.onOtherLeft();
                  }
                } else if (msg.videoroom === "destroyed") {
                  if (options.onOtherLeft) options.onOtherLeft();
                }
                if (jsep) publisher.handleRemoteJsep({jsep: jsep});
              }
            });
          },
          error: function () { reject("janus"); fail("janus"); },
          destroyed: function () {}
        });
      });
    });

  }

  window.VisioRoom = {join: join};
})();
