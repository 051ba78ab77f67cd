"""AWS I/O: boto3 clients, JumpStart lookups (sagemaker-core), hosting calls, the Price List API.
The only layer besides the engine that talks to a service."""
