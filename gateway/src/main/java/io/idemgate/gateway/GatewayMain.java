package io.idemgate.gateway;
public final class GatewayMain { public static void main(String[] a) {} }
