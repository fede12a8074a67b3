// kvm-arm native addon: the thin layer between lib/kvm (TypeScript) and the Linux KVM API.
//
// What it does: open/close file descriptors, issue ioctl(2) with an integer or a buffer argument, mmap the
// vCPU's kvm_run area and guest RAM, eventfd, KVM_RUN on the calling thread or on a libuv worker thread,
// and kick a vCPU out of KVM_RUN from any thread.
//
// What it does NOT do: decide anything about KVM. Ioctl request numbers, struct layouts (apart from the few
// structs that carry a user pointer, which must be built here because only here are pointers known) and
// every policy come from TypeScript (lib/codec, lib/kvm).
//
// The one thing checked here, because a mistake would let the kernel write outside a buffer: before any
// ioctl, a buffer handed to the kernel must be at least as long as the kernel may read or write:
//   - generic buffer ioctls: the size encoded in the request number (_IOC_SIZE);
//   - KVM_GET/SET_ONE_REG: the size encoded in the register id (KVM_REG_SIZE);
//   - KVM_GET_REG_LIST: 8 + 8*n bytes for the n the header declares;
//   - KVM_GET_DIRTY_LOG: one bit per page of the slot, as registered through setMemoryRegion();
//   - KVM_{SET,GET,HAS}_DEVICE_ATTR: 8 bytes (the widest value a device attribute transfers);
//   - KVM_SET_USER_MEMORY_REGION: [offset, offset+size) must lie inside a mapping made by this addon.
//   - fast calls: KVM_IRQ_LINE and KVM_GET/SET_ONE_REG (of at most 8 bytes) use structs and values built here.
// A failure is a RangeError/TypeError naming the argument, thrown before the syscall.
// A failing syscall throws an Error with `errno` (number) and `syscall` ('ioctl', 'open', 'mmap', ...);
// lib/kvm turns it into a KvmError with the errno name, the ioctl name and a context.
//
// The hot paths (KVM_RUN, KVM_CHECK_EXTENSION, KVM_IRQ_LINE, ONE_REG) also have "fast calls" (see there): plain
// Node-API functions that name their object by an integer handle and return -errno instead of throwing, because
// from JavaScript the wrapper machinery (napi_unwrap, argument conversion, exceptions) cost more than the ioctl.
// `npm run bench -- --only=native` measures what remains against the same loops in C.
#include <napi.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// ------------------------------------------------------------------------------------------ ioctl fields
// asm-generic/ioctl.h layout (x86 and arm64 share it): nr 8 bits, type 8, size 14, dir 2.
constexpr uint32_t kIocSizeShift = 16;
constexpr uint32_t kIocSizeMask = 0x3fff;
constexpr uint32_t kIocDirShift = 30;
inline uint32_t IocSize(uint32_t req) { return (req >> kIocSizeShift) & kIocSizeMask; }
inline uint32_t IocDir(uint32_t req) { return req >> kIocDirShift; }

// The signal sent to a thread blocked in KVM_RUN by kick(). Not SIGUSR1: Node uses that one to start the
// inspector. The handler does nothing; it is installed without SA_RESTART so KVM_RUN returns EINTR.
int KickSignal() { return SIGRTMIN + 6; }
void NoopHandler(int) {}
std::once_flag gSignalOnce;
void InstallKickHandler() {
  std::call_once(gSignalOnce, [] {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = NoopHandler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART
    sigaction(KickSignal(), &sa, nullptr);
  });
}
// libuv and Node may block signals on their threads; make sure the kick signal reaches this one.
void UnblockKickSignal() {
  thread_local bool done = false;
  if (done) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, KickSignal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  done = true;
}

// A test-and-set lock for a vCPU's run state: taken twice per KVM_RUN (uncontended: one atomic exchange and
// one store, against a pthread mutex's ~100 instructions), and by kick()/close() on other threads, which hold
// it only for a pthread_kill(); a waiter yields rather than spins.
class SpinLock {
 public:
  void lock() {
    while (f_.exchange(true, std::memory_order_acquire)) {
      while (f_.load(std::memory_order_relaxed)) sched_yield();
    }
  }
  void unlock() { f_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> f_{false};
};

long PageSize() {
  static long ps = sysconf(_SC_PAGESIZE);
  return ps;
}

uint32_t RandomToken() {
  static std::mutex m;
  static std::mt19937 gen{std::random_device{}()};
  std::lock_guard<std::mutex> lk(m);
  uint32_t t;
  do t = gen(); while (t == 0);
  return t & 0x7fffffff;
}

// ------------------------------------------------------------------------------------------ JS helpers
Napi::Error ErrnoError(Napi::Env env, int err, const std::string& syscall) {
  Napi::Error e = Napi::Error::New(env, syscall + " failed: " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const std::string& syscall) { throw ErrnoError(env, err, syscall); }
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }
[[noreturn]] void ThrowType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

struct Bytes {
  uint8_t* data;
  size_t length;
};
// A Uint8Array (any TypedArray), DataView or ArrayBuffer. Detached buffers have length 0.
Bytes GetBytes(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Env env = info.Env();
  Napi::Value v = info[i];
  if (v.IsTypedArray()) {
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    Napi::ArrayBuffer ab = t.ArrayBuffer();
    uint8_t* base = static_cast<uint8_t*>(ab.Data());
    return {base ? base + t.ByteOffset() : nullptr, base ? t.ByteLength() : 0};
  }
  if (v.IsDataView()) {
    Napi::DataView d = v.As<Napi::DataView>();
    uint8_t* base = static_cast<uint8_t*>(d.ArrayBuffer().Data());
    return {base ? base + d.ByteOffset() : nullptr, base ? d.ByteLength() : 0};
  }
  if (v.IsArrayBuffer()) {
    Napi::ArrayBuffer ab = v.As<Napi::ArrayBuffer>();
    return {static_cast<uint8_t*>(ab.Data()), ab.Data() ? ab.ByteLength() : 0};
  }
  ThrowType(env, std::string(name) + ": expected a Uint8Array");
}

// A non-negative integer given as a safe-integer Number or a BigInt, at most `max`.
uint64_t GetU64(const Napi::CallbackInfo& info, size_t i, const char* name, uint64_t max = UINT64_MAX) {
  Napi::Env env = info.Env();
  Napi::Value v = info[i];
  uint64_t out = 0;
  if (v.IsBigInt()) {
    bool lossless = false;
    out = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) ThrowRange(env, std::string(name) + ": must be a u64");
  } else if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
      ThrowRange(env, std::string(name) + ": must be a non-negative integer");
    out = static_cast<uint64_t>(d);
  } else {
    ThrowType(env, std::string(name) + ": expected a number or bigint");
  }
  if (out > max) ThrowRange(env, std::string(name) + ": " + std::to_string(out) + " is out of range");
  return out;
}
uint32_t GetU32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return static_cast<uint32_t>(GetU64(info, i, name, UINT32_MAX));
}

// ------------------------------------------------------------------------------------------ shared regions
// Guest RAM and kvm_run areas are reference counted: the JS object that made them, every JS object that
// re-opened them (another worker, a VM slot), and every external ArrayBuffer handed to JS hold a reference.
// The mapping is unmapped (and the vCPU's fd closed) only when the last reference goes, so no view can
// outlive its memory. A process-wide registry lets another thread find a region by {address|id, token}.
struct Region {
  void* addr = nullptr;
  size_t length = 0;
  uint32_t token = 0;
  // vCPU run areas only:
  int vcpuFd = -1;          // a dup of the vCPU fd, closed with the region
  uint32_t runRequest = 0;  // KVM_RUN, given by TypeScript
  size_t immediateExitOffset = 0;
  SpinLock m;  // guards inRun, runner, closed
  bool inRun = false;
  pthread_t runner{};
  bool closed = false;

  ~Region() {
    if (addr != nullptr && addr != MAP_FAILED) munmap(addr, length);
    if (vcpuFd >= 0) close(vcpuFd);
  }

  // Sets immediate_exit and signals the thread blocked in KVM_RUN, if any. Any thread may call it.
  void Kick() {
    std::lock_guard<SpinLock> lk(m);
    if (addr != nullptr && immediateExitOffset < length) {
      reinterpret_cast<std::atomic<uint8_t>*>(static_cast<uint8_t*>(addr) + immediateExitOffset)
          ->store(1, std::memory_order_seq_cst);
    }
    if (inRun) pthread_kill(runner, KickSignal());
  }

  // KVM_RUN on the calling thread. Returns 0 or an errno. The thread must have the kick signal unblocked
  // (UnblockKickSignal: done by Init on each environment's JS thread and by RunWorker on libuv threads), so the
  // hot path makes no thread_local access (in a dlopen'd addon that is a __tls_get_addr call).
  int Run() {
    {
      std::lock_guard<SpinLock> lk(m);
      if (closed) return EBADF;
      if (inRun) return EBUSY;
      inRun = true;
      runner = pthread_self();
    }
    int r = ioctl(vcpuFd, runRequest, 0);
    int err = r < 0 ? errno : 0;
    {
      std::lock_guard<SpinLock> lk(m);
      inRun = false;
    }
    return err;
  }
};

// ------------------------------------------------------------------------------------------ handle tables
// The hot calls (see "fast calls" below) name their Fd / VcpuRun by a small integer handle instead of by the
// wrapped JS object: napi_unwrap costs more than the ioctl's user-space side. A handle is a slot index (low
// 20 bits) and the slot's generation (next 11 bits), so it is a positive int32; a handle whose object is gone
// (collected) or whose slot was reused does not resolve (the call gives EBADF). 0 is never a valid handle.
// Tables are per environment (each worker has its own) and touched only from that environment's JS thread;
// they are shared_ptr-held by their objects, so finalizers that run during environment teardown stay safe.
// The first kInline slots live inside the table itself (so inside Handles, on the call block's page): in the
// arm64 lab (KPTI under TCG) every syscall empties the TLB and each distinct page a fast call touches after it
// costs a page walk, so the hot lookup touches no separately allocated array. Each slot also carries a `hot`
// pointer its object may set (a VcpuRun's Region), so the hot call need not touch the object either.
template <typename T>
class HandleTable {
 public:
  static constexpr uint32_t kIndexBits = 20;
  static constexpr uint32_t kIndexMask = (1u << kIndexBits) - 1;
  static constexpr uint32_t kGenMask = 0x7ff;
  static constexpr uint32_t kInline = 48;

  uint32_t Add(T* obj) {
    uint32_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      if (count_ > kIndexMask) return 0;  // over a million live objects: no handle (calls give EBADF)
      i = count_++;
      if (i >= kInline) more_.push_back({});
    }
    Slot& e = At(i);
    e.obj = obj;
    e.hot = nullptr;
    e.gen = (e.gen + 1) & kGenMask;
    if (e.gen == 0) e.gen = 1;
    return (e.gen << kIndexBits) | i;
  }
  void Remove(uint32_t h) {
    if (Get(h) == nullptr) return;
    uint32_t i = h & kIndexMask;
    At(i).obj = nullptr;
    At(i).hot = nullptr;
    free_.push_back(i);
  }
  T* Get(uint32_t h) const {
    const Slot* e = Find(h);
    return e ? e->obj : nullptr;
  }
  // The hot pointer of a live handle (nullptr when the handle does not resolve or none was set).
  void* Hot(uint32_t h) const {
    const Slot* e = Find(h);
    return e ? e->hot : nullptr;
  }
  void SetHot(uint32_t h, void* p) {
    if (Get(h) != nullptr) At(h & kIndexMask).hot = p;
  }

 private:
  struct Slot {
    T* obj = nullptr;
    void* hot = nullptr;
    uint32_t gen = 0;
  };
  Slot& At(uint32_t i) { return i < kInline ? inline_[i] : more_[i - kInline]; }
  const Slot* Find(uint32_t h) const {
    uint32_t i = h & kIndexMask;
    if (i >= count_) return nullptr;
    const Slot& e = i < kInline ? inline_[i] : more_[i - kInline];
    return e.obj != nullptr && e.gen == (h >> kIndexBits) ? &e : nullptr;
  }
  uint32_t count_ = 0;
  Slot inline_[kInline];
  std::vector<Slot> more_;
  std::vector<uint32_t> free_;
};
class Fd;
class VcpuRun;
// The call block: the arguments and the result of the hottest fast calls (ioctlInt, irqLine, runVcpu) pass
// through this u32[8], which JS sees as binding.callBlock, so those calls take no arguments and return nothing:
// no napi_get_value_* per argument, no napi_create_* for the result. Layout (u32 indices): 0 handle,
// 1 request, 2 arg0, 3 arg1, 4 result (int32: >= 0, or -errno). One per environment; JS is single-threaded
// per environment and runs nothing during the call, so one block is enough.
enum : size_t { kBlkHandle = 0, kBlkRequest = 1, kBlkArg0 = 2, kBlkArg1 = 3, kBlkResult = 4, kBlkWords = 8 };
// Page aligned and under a page: the block and the inline handle slots a fast call reads share one page.
struct alignas(4096) Handles {
  alignas(8) uint32_t block[kBlkWords] = {};
  HandleTable<VcpuRun> runs;
  HandleTable<Fd> fds;
};
static_assert(sizeof(Handles) == 4096, "Handles: the hot state fits one page");
// The fast functions, the callBlock ArrayBuffer and every Fd / VcpuRun hold a reference to their Handles, so it
// outlives all of them whatever order the environment tears them down in (or if the addon is loaded twice).
using HandlesRef = std::shared_ptr<Handles>;

// Constructors are per environment: the main thread and every worker load the addon into their own env.
// The first environment to load the addon is remembered with its Handles (gFastEnv / gFastHandles): the
// block calls of that environment find their Handles by comparing the napi_env they are given, without
// napi_get_cb_info (a call into Node, i.e. more code pages after the syscall's TLB flush); other environments
// (workers) take the napi_get_cb_info path. Only the owning environment's thread ever reads gFastHandles
// (another thread's env never equals gFastEnv while the owner lives), and the owner's teardown clears
// gFastEnv before its Handles can go, so a later environment at the same address cannot see a stale one.
std::atomic<napi_env> gFastEnv{nullptr};
std::atomic<Handles*> gFastHandles{nullptr};
struct AddonData {
  Napi::FunctionReference fd, memory, vcpuRun;
  std::shared_ptr<Handles> handles{new Handles()};
  napi_env env = nullptr;
  ~AddonData();
};
AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

std::mutex gRegistryMutex;
// Claims the fast slot for `env` when no live environment holds it (under gRegistryMutex: two environments
// loading at once must not pair one's env with the other's Handles).
void ClaimFastEnv(napi_env env, Handles* h) {
  std::lock_guard<std::mutex> lk(gRegistryMutex);
  if (gFastEnv.load() != nullptr) return;
  gFastHandles.store(h);
  gFastEnv.store(env);
}
AddonData::~AddonData() {
  std::lock_guard<std::mutex> lk(gRegistryMutex);
  if (gFastEnv.load() == env) {
    gFastEnv.store(nullptr);
    gFastHandles.store(nullptr);
  }
}
std::unordered_map<uintptr_t, std::weak_ptr<Region>> gMemories;  // by address
std::unordered_map<uint32_t, std::weak_ptr<Region>> gVcpus;      // by id
uint32_t gNextVcpuId = 1;

// An external ArrayBuffer over a region; the buffer keeps the region alive until it is collected or detached.
Napi::ArrayBuffer RegionBuffer(Napi::Env env, const std::shared_ptr<Region>& r) {
  auto* hold = new std::shared_ptr<Region>(r);
  return Napi::ArrayBuffer::New(env, r->addr, r->length,
                                [](Napi::Env, void*, std::shared_ptr<Region>* h) { delete h; }, hold);
}

// ------------------------------------------------------------------------------------------ class Fd
// An owned file descriptor: /dev/kvm, a VM, a vCPU, a device, an eventfd.
class Fd : public Napi::ObjectWrap<Fd> {
 public:
  static Napi::Function Init(Napi::Env env) {
    Napi::Function f = DefineClass(env, "Fd",
                                   {
                                       InstanceAccessor<&Fd::GetFd>("fd"),
                                       InstanceAccessor<&Fd::GetHandle>("handle"),
                                       InstanceMethod<&Fd::Ioctl>("ioctl"),
                                       InstanceMethod<&Fd::IoctlBuf>("ioctlBuf"),
                                       InstanceMethod<&Fd::IoctlFd>("ioctlFd"),
                                       InstanceMethod<&Fd::OneReg>("oneReg"),
                                       InstanceMethod<&Fd::RegList>("regList"),
                                       InstanceMethod<&Fd::SetMemoryRegion>("setMemoryRegion"),
                                       InstanceMethod<&Fd::DirtyLog>("dirtyLog"),
                                       InstanceMethod<&Fd::DeviceAttr>("deviceAttr"),
                                       InstanceMethod<&Fd::MapRun>("mapRun"),
                                       InstanceMethod<&Fd::ReadU64>("readU64"),
                                       InstanceMethod<&Fd::WriteU64>("writeU64"),
                                       InstanceMethod<&Fd::Close>("close"),
                                   });
    return f;
  }
  static Napi::Object Wrap(Napi::Env env, int fd) {
    return Data(env).fd.New({Napi::Number::New(env, fd)});
  }

  explicit Fd(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Fd>(info) {
    // Only Wrap() constructs these (the constructor is not exported).
    fd_ = static_cast<int>(info[0].As<Napi::Number>().Int32Value());
    handles_ = Data(info.Env()).handles;
    handle_ = handles_->fds.Add(this);
  }
  ~Fd() override {
    handles_->fds.Remove(handle_);
    if (fd_ >= 0) close(fd_);
  }

  // The fd for a fast call: -1 once closed.
  int fd() const { return fd_; }
  // A struct built here must cover what the request says the kernel reads or writes.
  static bool StructFits(uint32_t req, size_t have) { return IocSize(req) <= have; }

 private:
  int fd_ = -1;
  std::shared_ptr<Handles> handles_;
  uint32_t handle_ = 0;
  // slot id → number of pages, for the regions registered through setMemoryRegion (VM fds only)
  std::unordered_map<uint32_t, uint64_t> slotPages_;

  int Need(Napi::Env env, const char* syscall = "ioctl") const {
    if (fd_ < 0) ThrowErrno(env, EBADF, syscall);
    return fd_;
  }
  static uint32_t Request(const Napi::CallbackInfo& info) { return GetU32(info, 0, "request"); }
  // A struct built here must cover what the request says the kernel reads or writes.
  static void CheckStruct(Napi::Env env, uint32_t req, size_t have, const char* what) {
    if (IocSize(req) > have)
      ThrowRange(env, std::string("request: encodes ") + std::to_string(IocSize(req)) + " bytes but " + what + " is " +
                          std::to_string(have));
  }

  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value GetHandle(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), handle_); }

  // ioctl(fd, request, integer). Requests that encode a direction take a pointer, never an integer.
  Napi::Value Ioctl(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    uint64_t arg = info.Length() > 1 && !info[1].IsUndefined() ? GetU64(info, 1, "arg") : 0;
    if (IocDir(req) != 0) ThrowRange(env, "request: encodes a pointer argument (_IOC_DIR != 0); pass a buffer");
    int fd = Need(env);
    int r = ioctl(fd, req, static_cast<unsigned long>(arg));
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Napi::Number::New(env, r);
  }

  // ioctl(fd, request, buffer): the buffer must hold _IOC_SIZE(request) bytes.
  Napi::Value IoctlBuf(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    Bytes b = GetBytes(info, 1, "buffer");
    if (b.length < IocSize(req))
      ThrowRange(env, "buffer: " + std::to_string(b.length) + " bytes, the request encodes " + std::to_string(IocSize(req)));
    int fd = Need(env);
    int r = ioctl(fd, req, b.data);
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Napi::Number::New(env, r);
  }

  // An ioctl whose result is a new fd (KVM_CREATE_VM, KVM_CREATE_VCPU): returns an owned Fd.
  Napi::Value IoctlFd(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    uint64_t arg = info.Length() > 1 && !info[1].IsUndefined() ? GetU64(info, 1, "arg") : 0;
    if (IocDir(req) != 0) ThrowRange(env, "request: encodes a pointer argument (_IOC_DIR != 0); pass a buffer");
    int fd = Need(env);
    int r = ioctl(fd, req, static_cast<unsigned long>(arg));
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Wrap(env, r);
  }

  // KVM_GET_ONE_REG / KVM_SET_ONE_REG: struct kvm_one_reg { u64 id; u64 addr; } with addr = value.
  // The value buffer must hold KVM_REG_SIZE(id) = 1 << ((id >> 52) & 0xf) bytes.
  Napi::Value OneReg(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    uint64_t id = GetU64(info, 1, "id");
    Bytes v = GetBytes(info, 2, "value");
    uint64_t size = uint64_t{1} << ((id >> 52) & 0xf);
    if (v.length < size)
      ThrowRange(env, "value: " + std::to_string(v.length) + " bytes, the register id encodes " + std::to_string(size));
    struct {
      uint64_t id;
      uint64_t addr;
    } s = {id, reinterpret_cast<uintptr_t>(v.data)};
    CheckStruct(env, req, sizeof s, "struct kvm_one_reg");
    int fd = Need(env);
    int r = ioctl(fd, req, &s);
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Napi::Number::New(env, r);
  }

  // KVM_GET_REG_LIST: struct kvm_reg_list { u64 n; u64 reg[]; } — the buffer must hold 8 + 8*n bytes.
  Napi::Value RegList(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    Bytes b = GetBytes(info, 1, "buffer");
    if (b.length < 8) ThrowRange(env, "buffer: kvm_reg_list needs at least 8 bytes");
    uint64_t n;
    memcpy(&n, b.data, 8);
    if (n > (b.length - 8) / 8)
      ThrowRange(env, "buffer: n = " + std::to_string(n) + " needs " + std::to_string(8 + 8 * (n > (1ull << 40) ? 0 : n)) +
                          " bytes, got " + std::to_string(b.length));
    CheckStruct(env, req, b.length, "buffer");
    int fd = Need(env);
    int r = ioctl(fd, req, b.data);
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Napi::Number::New(env, r);
  }

  // KVM_SET_USER_MEMORY_REGION(request, slot, flags, guestPhysAddr, size, memory|null, offset).
  // struct kvm_userspace_memory_region { u32 slot; u32 flags; u64 guest_phys_addr; u64 memory_size;
  // u64 userspace_addr; }. userspace_addr is memory.address + offset and [offset, offset+size) must lie in
  // the mapping: the guest can never reach host memory that is not guest RAM. size 0 deletes the slot.
  Napi::Value SetMemoryRegion(const Napi::CallbackInfo& info);

  // KVM_GET_DIRTY_LOG(request, slot, bitmap): struct kvm_dirty_log { u32 slot; u32 pad; u64 dirty_bitmap; }.
  // For a slot registered here the bitmap must hold ALIGN(pages, 64) / 8 bytes. For a slot unknown here the
  // kernel gets a NULL bitmap: it reports the slot error (EINVAL/ENOENT) or EFAULT, and writes nothing.
  Napi::Value DirtyLog(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    uint32_t slot = GetU32(info, 1, "slot");
    Bytes b = GetBytes(info, 2, "bitmap");
    struct {
      uint32_t slot;
      uint32_t pad;
      uint64_t bitmap;
    } s = {slot, 0, 0};
    auto it = slotPages_.find(slot);
    if (it != slotPages_.end()) {
      uint64_t need = ((it->second + 63) / 64) * 8;
      if (b.length < need)
        ThrowRange(env, "bitmap: " + std::to_string(b.length) + " bytes, the slot needs " + std::to_string(need));
      s.bitmap = reinterpret_cast<uintptr_t>(b.data);
    }
    CheckStruct(env, req, sizeof s, "struct kvm_dirty_log");
    int fd = Need(env);
    int r = ioctl(fd, req, &s);
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Napi::Number::New(env, r);
  }

  // KVM_{SET,GET,HAS}_DEVICE_ATTR(request, flags, group, attr, value): struct kvm_device_attr { u32 flags;
  // u32 group; u64 attr; u64 addr; } with addr = value, which must hold 8 bytes.
  Napi::Value DeviceAttr(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t req = Request(info);
    uint32_t flags = GetU32(info, 1, "flags");
    uint32_t group = GetU32(info, 2, "group");
    uint64_t attr = GetU64(info, 3, "attr");
    Bytes v = GetBytes(info, 4, "value");
    if (v.length < 8) ThrowRange(env, "value: needs 8 bytes, got " + std::to_string(v.length));
    struct {
      uint32_t flags;
      uint32_t group;
      uint64_t attr;
      uint64_t addr;
    } s = {flags, group, attr, reinterpret_cast<uintptr_t>(v.data)};
    CheckStruct(env, req, sizeof s, "struct kvm_device_attr");
    int fd = Need(env);
    int r = ioctl(fd, req, &s);
    if (r < 0) ThrowErrno(env, errno, "ioctl");
    return Napi::Number::New(env, r);
  }

  // mapRun(size, runRequest, immediateExitOffset) on a vCPU fd → VcpuRun (see below).
  Napi::Value MapRun(const Napi::CallbackInfo& info);

  // eventfd: read / write the 8-byte counter.
  Napi::Value ReadU64(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int fd = Need(env, "read");
    uint64_t v = 0;
    ssize_t r = read(fd, &v, sizeof v);
    if (r < 0) ThrowErrno(env, errno, "read");
    if (r != sizeof v) ThrowErrno(env, EIO, "read");
    return Napi::BigInt::New(env, v);
  }
  Napi::Value WriteU64(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t v = GetU64(info, 0, "value");
    int fd = Need(env, "write");
    ssize_t r = write(fd, &v, sizeof v);
    if (r < 0) ThrowErrno(env, errno, "write");
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    return info.Env().Undefined();
  }
};

// ------------------------------------------------------------------------------------------ class Memory
// Guest RAM: an anonymous private mapping (MAP_NORESERVE), page aligned, usable from every thread.
class Memory : public Napi::ObjectWrap<Memory> {
 public:
  static Napi::Function Init(Napi::Env env) {
    Napi::Function f = DefineClass(env, "Memory",
                                   {
                                       InstanceAccessor<&Memory::Address>("address"),
                                       InstanceAccessor<&Memory::Size>("size"),
                                       InstanceAccessor<&Memory::Token>("token"),
                                       InstanceAccessor<&Memory::Buffer>("buffer"),
                                       InstanceMethod<&Memory::Close>("close"),
                                   });
    return f;
  }
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<Region> r) {
    Napi::Object o = Data(env).memory.New({});
    Unwrap(o)->region_ = std::move(r);
    return o;
  }
  explicit Memory(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Memory>(info) {}

  std::shared_ptr<Region> region_;

 private:
  Napi::Reference<Napi::ArrayBuffer> buffer_;

  Napi::Value Address(const Napi::CallbackInfo& info) {
    return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(region_ ? reinterpret_cast<uintptr_t>(region_->addr) : 0));
  }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(region_ ? region_->length : 0));
  }
  Napi::Value Token(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), region_ ? region_->token : 0); }
  // One ArrayBuffer per Memory object (created on first use, detached by close()).
  Napi::Value Buffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!region_) ThrowErrno(env, EBADF, "mmap");
    if (buffer_.IsEmpty()) buffer_ = Napi::Persistent(RegionBuffer(env, region_));
    return buffer_.Value();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!buffer_.IsEmpty()) {
      Napi::ArrayBuffer ab = buffer_.Value();
      if (!ab.IsDetached()) ab.Detach();
      buffer_.Reset();
    }
    region_.reset();
    return info.Env().Undefined();
  }
};

Napi::Value Fd::SetMemoryRegion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t req = Request(info);
  uint32_t slot = GetU32(info, 1, "slot");
  uint32_t flags = GetU32(info, 2, "flags");
  uint64_t gpa = GetU64(info, 3, "guestPhysAddr");
  uint64_t size = GetU64(info, 4, "size");
  uint64_t offset = info.Length() > 6 && !info[6].IsUndefined() ? GetU64(info, 6, "offset") : 0;
  uint64_t uaddr = 0;
  if (size != 0) {
    if (!info[5].IsObject() || !info[5].As<Napi::Object>().InstanceOf(Data(env).memory.Value()))
      ThrowType(env, "memory: expected a Memory made by allocMemory/openMemory");
    Memory* m = Memory::Unwrap(info[5].As<Napi::Object>());
    if (!m->region_) ThrowErrno(env, EBADF, "ioctl");
    if (offset > m->region_->length || size > m->region_->length - offset)
      ThrowRange(env, "size: [offset, offset + size) = [" + std::to_string(offset) + ", " + std::to_string(offset + size) +
                          ") is outside the " + std::to_string(m->region_->length) + "-byte mapping");
    uaddr = reinterpret_cast<uintptr_t>(m->region_->addr) + offset;
  }
  struct {
    uint32_t slot;
    uint32_t flags;
    uint64_t gpa;
    uint64_t size;
    uint64_t uaddr;
  } s = {slot, flags, gpa, size, uaddr};
  CheckStruct(env, req, sizeof s, "struct kvm_userspace_memory_region");
  int fd = Need(env);
  int r = ioctl(fd, req, &s);
  if (r < 0) ThrowErrno(env, errno, "ioctl");
  if (size == 0)
    slotPages_.erase(slot);
  else
    slotPages_[slot] = size / static_cast<uint64_t>(PageSize());
  return Napi::Number::New(env, r);
}

// ------------------------------------------------------------------------------------------ class VcpuRun
// The vCPU's mmapped kvm_run area plus the means to run and kick it. It owns a dup of the vCPU fd, so
// closing the Fd object does not pull the file from under a KVM_RUN in progress on another thread.
class VcpuRun : public Napi::ObjectWrap<VcpuRun> {
 public:
  static Napi::Function Init(Napi::Env env) {
    Napi::Function f = DefineClass(env, "VcpuRun",
                                   {
                                       InstanceAccessor<&VcpuRun::Buffer>("buffer"),
                                       InstanceAccessor<&VcpuRun::Id>("id"),
                                       InstanceAccessor<&VcpuRun::Token>("token"),
                                       InstanceAccessor<&VcpuRun::GetHandle>("handle"),
                                       InstanceMethod<&VcpuRun::Run>("run"),
                                       InstanceMethod<&VcpuRun::RunAsync>("runAsync"),
                                       InstanceMethod<&VcpuRun::Kick>("kick"),
                                       InstanceMethod<&VcpuRun::Close>("close"),
                                   });
    return f;
  }
  explicit VcpuRun(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VcpuRun>(info) {
    handles_ = Data(info.Env()).handles;
    handle_ = handles_->runs.Add(this);
  }
  ~VcpuRun() override {
    handles_->runs.Remove(handle_);
    Release();
  }

  // The Region the fast runVcpu() reaches through the handle slot (nullptr there after Release: EBADF).
  void Attach(std::shared_ptr<Region> r) {
    region_ = std::move(r);
    handles_->runs.SetHot(handle_, region_.get());
  }

  std::shared_ptr<Region> region_;
  uint32_t id_ = 0;
  Napi::Reference<Napi::ArrayBuffer> buffer_;

 private:
  std::shared_ptr<Handles> handles_;
  uint32_t handle_ = 0;
  Napi::Value GetHandle(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), handle_); }

  class RunWorker : public Napi::AsyncWorker {
   public:
    RunWorker(Napi::Env env, std::shared_ptr<Region> r)
        : Napi::AsyncWorker(env, "kvm-arm:KVM_RUN"), region_(std::move(r)), deferred_(Napi::Promise::Deferred::New(env)) {}
    Napi::Promise Promise() { return deferred_.Promise(); }
    void Execute() override {
      UnblockKickSignal();  // a libuv pool thread
      err_ = region_->Run();
    }
    void OnOK() override {
      region_.reset();
      if (err_ != 0)
        deferred_.Reject(ErrnoError(Env(), err_, "ioctl").Value());
      else
        deferred_.Resolve(Napi::Number::New(Env(), 0));
    }

   private:
    std::shared_ptr<Region> region_;
    Napi::Promise::Deferred deferred_;
    int err_ = 0;
  };

  void Release() {
    if (!region_) return;
    handles_->runs.SetHot(handle_, nullptr);
    {
      std::lock_guard<std::mutex> lk(gRegistryMutex);
      gVcpus.erase(id_);
    }
    {
      std::lock_guard<SpinLock> lk(region_->m);
      region_->closed = true;
    }
    region_->Kick();  // a KVM_RUN still in progress returns EINTR; the region goes with its last holder
    region_.reset();
  }
  Napi::Value Buffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!region_) ThrowErrno(env, EBADF, "mmap");
    if (buffer_.IsEmpty()) buffer_ = Napi::Persistent(RegionBuffer(env, region_));
    return buffer_.Value();
  }
  Napi::Value Id(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), id_); }
  Napi::Value Token(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), region_ ? region_->token : 0); }
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!region_) ThrowErrno(env, EBADF, "ioctl");
    int err = region_->Run();
    if (err != 0) ThrowErrno(env, err, "ioctl");
    return Napi::Number::New(env, 0);
  }
  Napi::Value RunAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!region_) ThrowErrno(env, EBADF, "ioctl");
    auto* w = new RunWorker(env, region_);
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
  }
  Napi::Value Kick(const Napi::CallbackInfo& info) {
    if (!region_) ThrowErrno(info.Env(), EBADF, "kick");
    region_->Kick();
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!buffer_.IsEmpty()) {
      Napi::ArrayBuffer ab = buffer_.Value();
      if (!ab.IsDetached()) ab.Detach();
      buffer_.Reset();
    }
    Release();
    return info.Env().Undefined();
  }
};

Napi::Value Fd::MapRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t size = GetU64(info, 0, "size", 1ull << 30);
  uint32_t runReq = GetU32(info, 1, "runRequest");
  uint64_t ieOff = GetU64(info, 2, "immediateExitOffset");
  if (size == 0 || size % static_cast<uint64_t>(PageSize()) != 0)
    ThrowRange(env, "size: must be a non-zero multiple of the page size (KVM_GET_VCPU_MMAP_SIZE)");
  if (ieOff >= size) ThrowRange(env, "immediateExitOffset: outside the kvm_run area");
  if (IocDir(runReq) != 0) ThrowRange(env, "runRequest: KVM_RUN takes no pointer");
  int fd = Need(env, "mmap");
  auto r = std::make_shared<Region>();
  r->vcpuFd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (r->vcpuFd < 0) ThrowErrno(env, errno, "dup");
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) ThrowErrno(env, errno, "mmap");  // r's destructor closes the dup
  r->addr = p;
  r->length = size;
  r->token = RandomToken();
  r->runRequest = runReq;
  r->immediateExitOffset = ieOff;
  Napi::Object o = Data(env).vcpuRun.New({});
  VcpuRun* v = VcpuRun::Unwrap(o);
  v->Attach(r);
  {
    std::lock_guard<std::mutex> lk(gRegistryMutex);
    v->id_ = gNextVcpuId++;
    gVcpus[v->id_] = r;
  }
  return o;
}

// ------------------------------------------------------------------------------------------ module functions
// open(path, flags) → Fd. O_CLOEXEC is always added.
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowType(env, "path: expected a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (path.find('\0') != std::string::npos) ThrowType(env, "path: contains a NUL byte");
  uint32_t flags = info.Length() > 1 && !info[1].IsUndefined() ? GetU32(info, 1, "flags") : O_RDWR;
  int fd = open(path.c_str(), static_cast<int>(flags) | O_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "open");
  return Fd::Wrap(env, fd);
}

// dupFd(n) → an Fd owning a CLOEXEC duplicate of fd n (e.g. a VM fd number posted to a worker).
Napi::Value DupFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t n = GetU32(info, 0, "fd");
  int fd = fcntl(static_cast<int>(n), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) ThrowErrno(env, errno, "dup");
  return Fd::Wrap(env, fd);
}

// adoptFd(n) → an Fd owning fd n (for fds the kernel wrote into a struct, e.g. KVM_CREATE_DEVICE).
Napi::Value AdoptFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t n = GetU32(info, 0, "fd");
  if (n > INT32_MAX || fcntl(static_cast<int>(n), F_GETFD) < 0) ThrowErrno(env, EBADF, "fcntl");
  return Fd::Wrap(env, static_cast<int>(n));
}

// eventfd(initval, flags) → Fd (EFD_CLOEXEC always added).
Napi::Value EventFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t init = info.Length() > 0 && !info[0].IsUndefined() ? GetU32(info, 0, "initval") : 0;
  uint32_t flags = info.Length() > 1 && !info[1].IsUndefined() ? GetU32(info, 1, "flags") : 0;
  int fd = eventfd(init, static_cast<int>(flags) | EFD_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "eventfd");
  return Fd::Wrap(env, fd);
}

// allocMemory(size, flags) → Memory. flags: 1 = MAP_HUGETLB, 2 = madvise(MADV_HUGEPAGE).
Napi::Value AllocMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t size = GetU64(info, 0, "size", 1ull << 46);
  uint32_t flags = info.Length() > 1 && !info[1].IsUndefined() ? GetU32(info, 1, "flags") : 0;
  if (size == 0 || size % static_cast<uint64_t>(PageSize()) != 0)
    ThrowRange(env, "size: must be a non-zero multiple of the page size (" + std::to_string(PageSize()) + ")");
  if (flags & ~3u) ThrowRange(env, "flags: unknown bits");
  int mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  if (flags & 1) mflags |= MAP_HUGETLB;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, mflags, -1, 0);
  if (p == MAP_FAILED) ThrowErrno(env, errno, "mmap");
  auto r = std::make_shared<Region>();
  r->addr = p;
  r->length = size;
  r->token = RandomToken();
  if ((flags & 2) && madvise(p, size, MADV_HUGEPAGE) < 0) ThrowErrno(env, errno, "madvise");  // r unmaps
  {
    std::lock_guard<std::mutex> lk(gRegistryMutex);
    gMemories[reinterpret_cast<uintptr_t>(p)] = r;
  }
  return Memory::Wrap(env, r);
}

// openMemory(address, size, token) → Memory: the same mapping, from any thread, without a second mmap.
// ENOENT when no live mapping matches all three.
Napi::Value OpenMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t addr = GetU64(info, 0, "address");
  uint64_t size = GetU64(info, 1, "size");
  uint32_t token = GetU32(info, 2, "token");
  std::shared_ptr<Region> r;
  {
    std::lock_guard<std::mutex> lk(gRegistryMutex);
    auto it = gMemories.find(static_cast<uintptr_t>(addr));
    if (it != gMemories.end()) {
      r = it->second.lock();
      if (!r) gMemories.erase(it);
    }
  }
  if (!r || r->length != size || r->token != token) ThrowErrno(env, ENOENT, "openMemory");
  return Memory::Wrap(env, r);
}

// kick(id, token) from any thread: true when the vCPU exists (immediate_exit set and its runner signalled).
Napi::Value KickById(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id = GetU32(info, 0, "id");
  uint32_t token = GetU32(info, 1, "token");
  std::shared_ptr<Region> r;
  {
    std::lock_guard<std::mutex> lk(gRegistryMutex);
    auto it = gVcpus.find(id);
    if (it != gVcpus.end()) r = it->second.lock();
  }
  if (!r || r->token != token) return Napi::Boolean::New(env, false);
  r->Kick();
  return Napi::Boolean::New(env, true);
}

// ------------------------------------------------------------------------------------------ fast calls
// The hot ioctls as plain Node-API functions taking numbers (and bigints for register ids and values): no
// napi_unwrap (the Fd / VcpuRun is named by its handle), no string building and no exception on the success
// path, and no allocation except the BigInt getReg64 returns. A failing syscall is not thrown: the result is
// -errno (lib/kvm turns it into a KvmError), so every result is an int32 (or, for getReg64, a BigInt).
// Bad arguments still throw TypeError / RangeError naming the argument, before any syscall, and the struct
// checks of the general methods apply unchanged. A handle that does not resolve (closed, collected) → -EBADF.
namespace fast {

constexpr size_t kBlockBytes = kBlkWords * sizeof(uint32_t);

napi_value Int(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}
napi_value Fail(napi_env env, bool range, const char* msg) {
  if (range)
    napi_throw_range_error(env, nullptr, msg);
  else
    napi_throw_type_error(env, nullptr, msg);
  return nullptr;
}

// The call's arguments (missing ones read as undefined) and the environment's handle tables.
template <size_t N>
Handles* Args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  return static_cast<HandlesRef*>(data)->get();
}
// A u32 given as a Number holding a non-negative integer; false (an error thrown) otherwise.
bool U32(napi_env env, napi_value v, const char* typeMsg, const char* rangeMsg, uint32_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return Fail(env, false, typeMsg), false;
  if (!(d >= 0) || d > 4294967295.0 || d != static_cast<double>(static_cast<uint32_t>(d))) return Fail(env, true, rangeMsg), false;
  *out = static_cast<uint32_t>(d);
  return true;
}
// A u64 given as a BigInt; *fits = false when it is negative or wider than 64 bits.
bool U64Big(napi_env env, napi_value v, const char* typeMsg, uint64_t* out, bool* fits) {
  if (napi_get_value_bigint_uint64(env, v, out, fits) != napi_ok) return Fail(env, false, typeMsg), false;
  return true;
}
#define KVM_ARM_U32(i, name, var)                                                                           \
  uint32_t var;                                                                                             \
  if (!U32(env, argv[i], name ": expected a number", name ": must be a u32 (a non-negative integer)", &var)) \
    return nullptr;

int FdOf(Handles* h, uint32_t handle) {
  Fd* f = h->fds.Get(handle);
  return f ? f->fd() : -1;
}
int32_t Result(int r) { return r < 0 ? -errno : r; }

// The block-based calls: no arguments, nothing returned (the result goes to block[kBlkResult]). The words are
// u32 by construction (a Uint32Array); lib/kvm validates every value before it writes it there.
Handles* BlockCall(napi_env env, napi_callback_info info) {
  if (env == gFastEnv.load(std::memory_order_relaxed)) return gFastHandles.load(std::memory_order_relaxed);
  void* data = nullptr;
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data);
  return static_cast<HandlesRef*>(data)->get();
}
void SetResult(Handles* h, int32_t r) { h->block[kBlkResult] = static_cast<uint32_t>(r); }

// ioctlInt(): ioctl(fd, request, arg0) for requests without a pointer argument (_IOC_DIR == 0): KVM_CHECK_EXTENSION,
// KVM_CREATE_IRQCHIP, ... A request that encodes a pointer is a RangeError.
napi_value IoctlInt(napi_env env, napi_callback_info info) {
  Handles* h = BlockCall(env, info);
  const uint32_t* b = h->block;
  uint32_t req = b[kBlkRequest];
  if (IocDir(req) != 0) return Fail(env, true, "request: encodes a pointer argument (_IOC_DIR != 0); pass a buffer");
  int fd = FdOf(h, b[kBlkHandle]);
  SetResult(h, fd < 0 ? -EBADF : Result(ioctl(fd, req, static_cast<unsigned long>(b[kBlkArg0]))));
  return nullptr;
}

// irqLine(): KVM_IRQ_LINE with struct kvm_irq_level { u32 irq = arg0; u32 level = arg1; } built here (the request
// must not encode more than its 8 bytes).
napi_value IrqLine(napi_env env, napi_callback_info info) {
  Handles* h = BlockCall(env, info);
  const uint32_t* b = h->block;
  uint32_t req = b[kBlkRequest];
  struct {
    uint32_t irq;
    uint32_t level;
  } s = {b[kBlkArg0], b[kBlkArg1]};
  if (!Fd::StructFits(req, sizeof s)) return Fail(env, true, "request: encodes more bytes than struct kvm_irq_level (8)");
  int fd = FdOf(h, b[kBlkHandle]);
  SetResult(h, fd < 0 ? -EBADF : Result(ioctl(fd, req, &s)));
  return nullptr;
}

// runVcpu(): KVM_RUN of the VcpuRun block[kBlkHandle] names, on this thread → 0 | -errno (-EINTR after a kick).
napi_value RunVcpu(napi_env env, napi_callback_info info) {
  Handles* h = BlockCall(env, info);
  auto* r = static_cast<Region*>(h->runs.Hot(h->block[kBlkHandle]));
  SetResult(h, r == nullptr ? -EBADF : -r->Run());
  return nullptr;
}

// The value of a register of `size` (1, 2, 4 or 8) bytes, in host byte order as KVM transfers it.
union RegValue {
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
};
uint64_t RegGet(const RegValue& v, uint64_t size) {
  return size == 1 ? v.u8 : size == 2 ? v.u16 : size == 4 ? v.u32 : v.u64;
}
void RegSet(RegValue* v, uint64_t size, uint64_t x) {
  if (size == 1)
    v->u8 = static_cast<uint8_t>(x);
  else if (size == 2)
    v->u16 = static_cast<uint16_t>(x);
  else if (size == 4)
    v->u32 = static_cast<uint32_t>(x);
  else
    v->u64 = x;
}

// getReg64(handle, request, id: bigint) → value: bigint | -errno | 1: KVM_GET_ONE_REG of a register of at most
// 8 bytes (KVM_REG_SIZE(id)) into a u64 here. 1 (no syscall) when the id encodes a wider register: use oneReg().
napi_value GetReg64(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Handles* h = Args(env, info, argv);
  KVM_ARM_U32(0, "handle", handle);
  KVM_ARM_U32(1, "request", req);
  uint64_t id;
  bool fits;
  if (!U64Big(env, argv[2], "id: expected a bigint", &id, &fits)) return nullptr;
  if (!fits) return Fail(env, true, "id: must be a u64");
  uint64_t size = uint64_t{1} << ((id >> 52) & 0xf);
  if (size > 8) return Int(env, 1);
  RegValue v;
  v.u64 = 0;
  struct {
    uint64_t id;
    uint64_t addr;
  } s = {id, reinterpret_cast<uintptr_t>(&v)};
  if (!Fd::StructFits(req, sizeof s)) return Fail(env, true, "request: encodes more bytes than struct kvm_one_reg (16)");
  int fd = FdOf(h, handle);
  if (fd < 0) return Int(env, -EBADF);
  if (ioctl(fd, req, &s) < 0) return Int(env, -errno);
  napi_value out;
  napi_create_bigint_uint64(env, RegGet(v, size), &out);
  return out;
}

// setReg64(handle, request, id: bigint, value: bigint) → result | -errno | 1 | 2: KVM_SET_ONE_REG of a register
// of at most 8 bytes from a u64 here. No syscall, and 1 when the id encodes a wider register (use oneReg()),
// 2 when the value does not fit the register (negative, or wider than KVM_REG_SIZE(id) bytes).
napi_value SetReg64(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  Handles* h = Args(env, info, argv);
  KVM_ARM_U32(0, "handle", handle);
  KVM_ARM_U32(1, "request", req);
  uint64_t id, x;
  bool fits;
  if (!U64Big(env, argv[2], "id: expected a bigint", &id, &fits)) return nullptr;
  if (!fits) return Fail(env, true, "id: must be a u64");
  uint64_t size = uint64_t{1} << ((id >> 52) & 0xf);
  if (size > 8) return Int(env, 1);
  if (!U64Big(env, argv[3], "value: expected a bigint", &x, &fits)) return nullptr;
  if (!fits || (size < 8 && (x >> (8 * size)) != 0)) return Int(env, 2);
  RegValue v;
  v.u64 = 0;
  RegSet(&v, size, x);
  struct {
    uint64_t id;
    uint64_t addr;
  } s = {id, reinterpret_cast<uintptr_t>(&v)};
  if (!Fd::StructFits(req, sizeof s)) return Fail(env, true, "request: encodes more bytes than struct kvm_one_reg (16)");
  int fd = FdOf(h, handle);
  if (fd < 0) return Int(env, -EBADF);
  return Int(env, Result(ioctl(fd, req, &s)));
}

#undef KVM_ARM_U32

// exports[name] = a function whose data is a reference to `h`, released when the function is collected.
void Export(napi_env env, napi_value exports, const HandlesRef& h, const char* name, napi_callback cb) {
  auto* ref = new HandlesRef(h);
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, ref, &f);
  napi_add_finalizer(env, f, ref, [](napi_env, void* d, void*) { delete static_cast<HandlesRef*>(d); }, nullptr, nullptr);
  napi_set_named_property(env, exports, name, f);
}

}  // namespace fast

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallKickHandler();
  UnblockKickSignal();  // this environment's JS thread: the one its synchronous KVM_RUNs run on
  auto* data = new AddonData();
  data->env = env;
  data->fd = Napi::Persistent(Fd::Init(env));
  data->memory = Napi::Persistent(Memory::Init(env));
  data->vcpuRun = Napi::Persistent(VcpuRun::Init(env));
  env.SetInstanceData(data);
  exports.Set("open", Napi::Function::New(env, Open));
  exports.Set("dupFd", Napi::Function::New(env, DupFd));
  exports.Set("adoptFd", Napi::Function::New(env, AdoptFd));
  exports.Set("eventfd", Napi::Function::New(env, EventFd));
  exports.Set("allocMemory", Napi::Function::New(env, AllocMemory));
  exports.Set("openMemory", Napi::Function::New(env, OpenMemory));
  exports.Set("kick", Napi::Function::New(env, KickById));
  exports.Set("pageSize", Napi::Number::New(env, static_cast<double>(PageSize())));
  exports.Set("kickSignal", Napi::Number::New(env, KickSignal()));
  {
    auto* hold = new HandlesRef(data->handles);
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, data->handles->block, fast::kBlockBytes,
                                                  [](Napi::Env, void*, HandlesRef* h) { delete h; }, hold);
    napi_value u32;
    napi_create_typedarray(env, napi_uint32_array, kBlkWords, ab, 0, &u32);
    exports.Set("callBlock", Napi::Value(env, u32));
  }
  fast::Export(env, exports, data->handles, "ioctlInt", fast::IoctlInt);
  fast::Export(env, exports, data->handles, "irqLine", fast::IrqLine);
  fast::Export(env, exports, data->handles, "getReg64", fast::GetReg64);
  fast::Export(env, exports, data->handles, "setReg64", fast::SetReg64);
  fast::Export(env, exports, data->handles, "runVcpu", fast::RunVcpu);
  ClaimFastEnv(env, data->handles.get());
  exports.Set("abiVersion", Napi::Number::New(env, 3));
  return exports;
}

}  // namespace

NODE_API_MODULE(kvm_arm, Init)
