#pragma once
// The request/response protocol between LvsClient and LvsRealServer.
//
// Every message (a request or a response) starts with an LvsRequestHeader
// and is padded with zero bytes to the total size the header announces, so a
// stream reader can split a TCP byte stream into messages by length, however
// TCP segmented it. A keep-alive connection carries several requests, one
// after another; the flag kLast on a request asks the server to close the
// connection after answering it (HTTP/1.0 "Connection: close"), so the
// server, not the client, is the active closer and holds TIME_WAIT.

#include <ns3/header.h>
#include <ns3/nstime.h>
#include <ns3/packet.h>

#include <cstdint>
#include <functional>

namespace ns3 {

class LvsRequestHeader : public Header
{
  public:
    static constexpr uint32_t kMagic = 0x4c565331; // "LVS1"
    static constexpr uint32_t kSize = 32;           // serialized bytes
    enum Flags : uint16_t
    {
        kResponse = 1, //!< this message answers the request with the same id
        kLast = 2,     //!< request: close the connection after answering it
    };

    static TypeId GetTypeId();
    TypeId GetInstanceTypeId() const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(Buffer::Iterator start) const override;
    uint32_t Deserialize(Buffer::Iterator start) override;
    void Print(std::ostream& os) const override;

    uint64_t requestId{0};
    uint16_t flags{0};
    uint32_t messageSize{kSize};  //!< bytes of this whole message, header included
    uint32_t responseSize{kSize}; //!< request: bytes of the response wanted
    Time sentAt;                  //!< when the client sent the request
    bool valid{true};             //!< false when Deserialize saw a bad magic

    bool IsResponse() const
    {
        return flags & kResponse;
    }

    bool IsLast() const
    {
        return flags & kLast;
    }
};

// A message of `header.messageSize` bytes: the header and zero padding.
// Sizes below LvsRequestHeader::kSize are raised to it.
Ptr<Packet> MakeLvsMessage(LvsRequestHeader header);

// Splits a byte stream into messages by length. Feed() takes whatever the
// socket returned; the callback gets each complete message's header.
class LvsMessageReader
{
  public:
    using MessageCallback = std::function<void(const LvsRequestHeader&)>;

    // Returns false when the stream is corrupt (not our protocol).
    bool Feed(Ptr<Packet> bytes, const MessageCallback& onMessage);
    void Reset();

    uint32_t BytesPending() const;

  private:
    Ptr<Packet> m_partialHeader; //!< header bytes collected so far
    LvsRequestHeader m_current;
    uint32_t m_bodyLeft{0}; //!< padding bytes still to skip
    bool m_inBody{false};
};

} // namespace ns3
