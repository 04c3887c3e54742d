"""A small CRI client: the calls kubelet makes to a container runtime, over the runtime's unix
socket, with the messages of cri_api.proto (compiled by protoc into cri_api_pb2 beforehand).
Generic unary gRPC calls: no generated stubs are needed, so protoc's Python output is enough."""
import grpc

import cri_api_pb2 as api

_RUNTIME = {
    "Version": api.VersionResponse,
    "RunPodSandbox": api.RunPodSandboxResponse,
    "StopPodSandbox": api.StopPodSandboxResponse,
    "RemovePodSandbox": api.RemovePodSandboxResponse,
    "PodSandboxStatus": api.PodSandboxStatusResponse,
    "ListPodSandbox": api.ListPodSandboxResponse,
    "CreateContainer": api.CreateContainerResponse,
    "StartContainer": api.StartContainerResponse,
    "StopContainer": api.StopContainerResponse,
    "RemoveContainer": api.RemoveContainerResponse,
    "ListContainers": api.ListContainersResponse,
    "ContainerStatus": api.ContainerStatusResponse,
    "UpdateContainerResources": api.UpdateContainerResourcesResponse,
    "ExecSync": api.ExecSyncResponse,
}
_IMAGE = {"ImageStatus": api.ImageStatusResponse}


class Client:
    """client.RunPodSandbox(api.RunPodSandboxRequest(...)) and so on; a failed call raises
    grpc.RpcError, whose details() is the message kubelet would put in the pod's event."""

    def __init__(self, socket, timeout=120):
        self.channel = grpc.insecure_channel("unix://" + socket)
        self.timeout = timeout
        for service, methods in (("RuntimeService", _RUNTIME), ("ImageService", _IMAGE)):
            for name, response in methods.items():
                call = self.channel.unary_unary(
                    f"/runtime.v1.{service}/{name}",
                    request_serializer=lambda m: m.SerializeToString(),
                    response_deserializer=response.FromString)
                setattr(self, name, self._with_timeout(call))

    def _with_timeout(self, call):
        return lambda request, timeout=None: call(request, timeout=timeout or self.timeout)

    def close(self):
        self.channel.close()
